// Offline Apollo Federation v2 composition of the hub's subgraph SDL with other
// subgraphs, by @apollo/composition (what `rover supergraph compose` runs).
//
//   node compose.mjs <hub-sdl-file> [<other-subgraph-sdl-file>...] [--out FILE]
//                    [--hub-url URL] [--url NAME=URL ...]
//
// The first file is the subgraph `archive-hub`; each other file is a subgraph named
// after the file (housing-fund.graphql → `housing-fund`); without one, housing-fund.graphql
// beside this script. Routing URLs are placeholders unless given (`--hub-url`, or
// `--url housing-fund=http://…`); they only end up in the supergraph's `join__graph`.
//
// Exit 0: the supergraph SDL on stdout (or in FILE with --out), composition hints on
// stderr as `hint [CODE] …`. Exit 1: each error on stderr as `error [CODE] message`,
// followed by the file positions it names. Exit 2: bad usage or unreadable file.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GraphQLError, Source, getLocation, parse } from "graphql";
import { composeServices } from "@apollo/composition";

const HOUSING_FUND_SDL_PATH = join(dirname(fileURLToPath(import.meta.url)), "housing-fund.graphql");

export const HUB_NAME = "archive-hub";
export const HUB_PLACEHOLDER_URL = "http://archive-hub.invalid/graphql";

/** A subgraph's name from its file name: `housing-fund.graphql` → `housing-fund`. */
export function subgraphName(file) {
  return basename(file, extname(file));
}

/**
 * Composes `subgraphs` (`[{ name, url, sdl, file? }]`, the hub first). Returns
 * `{ supergraphSdl, hints }` or `{ errors }`, each error a GraphQLError with
 * `extensions.code` (a parse error has the code `INVALID_GRAPHQL`).
 */
export function composeSubgraphs(subgraphs) {
  const services = [];
  for (const s of subgraphs) {
    try {
      services.push({
        name: s.name,
        url: s.url,
        typeDefs: parse(new Source(s.sdl, s.file ?? s.name)),
      });
    } catch (e) {
      const err =
        e instanceof GraphQLError
          ? new GraphQLError(`[${s.name}] ${e.message}`, {
              nodes: e.nodes,
              source: e.source,
              positions: e.positions,
              extensions: { code: "INVALID_GRAPHQL" },
            })
          : e;
      return { errors: [err] };
    }
  }
  const result = composeServices(services);
  if (result.errors) return { errors: result.errors };
  return { supergraphSdl: result.supergraphSdl, hints: result.hints };
}

/** `file:line:col` for each source position an error names (composition errors name AST nodes). */
export function errorPlaces(e) {
  const places = [];
  // With AST nodes, graphql-js measures every node's position against the *first*
  // node's source: take the places from the nodes themselves.
  const withLoc = (e.nodes ?? []).some((n) => n?.loc?.source);
  if (!withLoc && e.source && e.positions) {
    for (const p of e.positions) {
      const { line, column } = getLocation(e.source, p);
      places.push(`${e.source.name}:${line}:${column}`);
    }
  }
  for (const n of e.nodes ?? []) {
    const loc = n?.loc;
    if (!loc?.source) continue;
    const { line, column } = getLocation(loc.source, loc.start);
    const place = `${loc.source.name}:${line}:${column}`;
    if (!places.includes(place)) places.push(place);
  }
  return places;
}

export function printError(e, write = (s) => process.stderr.write(s)) {
  const code = e.extensions?.code ?? "UNKNOWN";
  write(`error [${code}] ${e.message}\n`);
  for (const p of errorPlaces(e)) write(`    at ${p}\n`);
}

function main() {
  const argv = process.argv.slice(2);
  const files = [];
  const urls = {};
  let out = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--out") out = value();
    else if (a === "--hub-url") urls[HUB_NAME] = value();
    else if (a === "--url") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0) usage("--url takes NAME=URL");
      urls[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) usage("no hub SDL file");
  if (files.length === 1) files.push(HOUSING_FUND_SDL_PATH);

  const subgraphs = files.map((file, i) => {
    const name = i === 0 ? HUB_NAME : subgraphName(file);
    let sdl;
    try {
      sdl = readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`cannot read ${file}: ${e.message}\n`);
      process.exit(2);
    }
    return { name, file, sdl, url: urls[name] ?? (i === 0 ? HUB_PLACEHOLDER_URL : `http://${name}.invalid/graphql`) };
  });
  const names = subgraphs.map((s) => s.name);
  if (new Set(names).size !== names.length) usage(`two subgraphs with one name: ${names.join(", ")}`);

  const result = composeSubgraphs(subgraphs);
  if (result.errors) {
    for (const e of result.errors) printError(e);
    process.stderr.write(`composition failed: ${result.errors.length} error(s)\n`);
    process.exit(1);
  }
  for (const h of result.hints) {
    process.stderr.write(`hint [${h.definition.code}] ${h.message}\n`);
  }
  if (out) writeFileSync(out, result.supergraphSdl + "\n");
  else process.stdout.write(result.supergraphSdl + "\n");
  process.exit(0);
}

function usage(problem) {
  if (problem) process.stderr.write(`${problem}\n`);
  process.stderr.write(
    "usage: node compose.mjs <hub-sdl-file> [<other-subgraph-sdl-file>...] [--out FILE] [--hub-url URL] [--url NAME=URL]\n",
  );
  process.exit(problem ? 2 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
