// An Apollo Federation gateway (@apollo/gateway, served by @apollo/server) in front of
// the hub and the housing-provident-fund subgraph (housing-fund.mjs, started here
// in-process on a free port).
//
//   node gateway.mjs --hub <url of the hub's /graphql> --hub-sdl <hub SDL file> [--port 0]
//
// The supergraph is composed offline, from the hub's SDL file and housing-fund.graphql
// (no introspection of the hub: every request to it needs a consumer key). Each
// subgraph request carries the client's `authorization`, `x-api-key`, `x-purpose` and
// `accept-language` headers, so the hub admits, audits and masks for the client's
// consumer exactly as it would without the gateway. Subgraph errors come through with
// their `extensions.code` (and `extensions.serviceName`), a field the hub withheld stays
// null beside its error, and a hub's 4xx answer in GraphQL's error shape (e.g. 401
// `UNAUTHENTICATED` for a missing key) is passed on as those errors; an unreachable
// subgraph is a `SUBREQUEST_HTTP_ERROR` naming it (as Apollo Router says).
//
// Prints one line, {"url":"http://127.0.0.1:PORT/","housingFund":"http://127.0.0.1:PORT2/"},
// once both listen. Composition errors: on stderr, exit 1. Exits 0 when its standard
// input (a pipe) closes, or on SIGTERM / SIGINT. Nothing is sent to Apollo's services:
// no graph key, usage or schema reporting, telemetry or landing page.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { GraphQLError } from "graphql";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { HUB_NAME, composeSubgraphs, printError } from "./compose.mjs";
import { HOUSING_FUND_SDL_PATH, startHousingFund } from "./housing-fund.mjs";
import { noNetworkEnv, onShutdown, parseArgs, stderrLogger } from "./lib.mjs";

/** The client headers every subgraph request carries. */
export const FORWARDED_HEADERS = ["authorization", "x-api-key", "x-purpose", "accept-language"];

/**
 * A subgraph data source that forwards the client's headers, and that reads a non-2xx
 * answer with a GraphQL body (`{"errors": [...]}`, as the hub sends for 401/403/400)
 * as that GraphQL response, so its errors keep their messages and codes, instead of
 * the stock data source's `"401: Unauthorized"`.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource {
  constructor(config) {
    // Node's own fetch, not the stock make-fetch-happen, which would send even
    // loopback requests through an HTTP(S)_PROXY from the environment.
    super({ fetcher: (url, init) => fetch(url, init), ...config });
  }

  willSendRequest({ request, context }) {
    const incoming = context?.headers;
    if (!incoming) return;
    for (const name of FORWARDED_HEADERS) {
      const value = incoming[name];
      if (value === undefined) continue;
      request.http.headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
  }

  async sendRequest(request, context) {
    if (!request.http) throw new Error("Internal error: Only 'http' requests are supported.");
    const { http, ...rest } = request;
    const init = {
      method: http.method,
      headers: Object.fromEntries(http.headers),
      body: JSON.stringify(rest),
    };
    let response;
    try {
      response = await this.fetcher(http.url, init);
    } catch (e) {
      // Unreachable subgraph: say which, with the code Apollo Router uses for it.
      const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      throw new GraphQLError(`subgraph ${this.name ?? http.url} unreachable: ${why}`, {
        extensions: { code: "SUBREQUEST_HTTP_ERROR", serviceName: this.name },
      });
    }
    const contentType = response.headers.get("content-type") ?? "";
    const json =
      contentType.startsWith("application/json") ||
      contentType.startsWith("application/graphql-response+json");
    const body = json ? await response.json() : await response.text();
    if (response.ok) {
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        throw new Error(`Expected JSON response body, but received: ${body}`);
      }
      return { ...body, http: response };
    }
    if (body && typeof body === "object" && Array.isArray(body.errors) && body.errors.length > 0) {
      return { ...body, http: response };
    }
    const extensions = {
      response: { url: response.url, status: response.status, statusText: response.statusText, body },
    };
    if (response.status === 401) extensions.code = "UNAUTHENTICATED";
    else if (response.status === 403) extensions.code = "FORBIDDEN";
    throw new GraphQLError(`${response.status}: ${response.statusText}`, { extensions });
  }
}

/**
 * Starts housing-fund and the gateway on 127.0.0.1. Returns `{ url, housingFund, stop }`,
 * or throws an Error with `compositionErrors` when the supergraph does not compose.
 */
export async function startGateway({ hubUrl, hubSdl, port = 0, host = "127.0.0.1", logger = stderrLogger }) {
  // Before the gateway is constructed: it reads APOLLO_TELEMETRY_DISABLED then.
  noNetworkEnv();
  const housingFund = await startHousingFund({ port: 0, host, logger });
  try {
    const composed = composeSubgraphs([
      { name: HUB_NAME, url: hubUrl, sdl: hubSdl.sdl, file: hubSdl.file },
      {
        name: "housing-fund",
        url: housingFund.url,
        sdl: readFileSync(HOUSING_FUND_SDL_PATH, "utf8"),
        file: HOUSING_FUND_SDL_PATH,
      },
    ]);
    if (composed.errors) {
      const e = new Error(`composition failed: ${composed.errors.length} error(s)`);
      e.compositionErrors = composed.errors;
      throw e;
    }
    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      logger,
      buildService: ({ name, url }) => new ForwardingDataSource({ name, url }),
    });
    const server = new ApolloServer({
      gateway,
      logger,
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginUsageReportingDisabled(),
        ApolloServerPluginSchemaReportingDisabled(),
      ],
    });
    const { url } = await startStandaloneServer(server, {
      listen: { host, port },
      context: async ({ req }) => ({ headers: req.headers }),
    });
    return {
      url,
      housingFund: housingFund.url,
      stop: async () => {
        await server.stop();
        await housingFund.stop();
      },
    };
  } catch (e) {
    await housingFund.stop();
    throw e;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { port: "0" });
  if (!args.hub || !args["hub-sdl"]) {
    process.stderr.write(
      "usage: node gateway.mjs --hub <url of the hub's /graphql> --hub-sdl <hub SDL file> [--port 0]\n",
    );
    process.exit(2);
  }
  let sdl;
  try {
    sdl = readFileSync(args["hub-sdl"], "utf8");
  } catch (e) {
    process.stderr.write(`cannot read ${args["hub-sdl"]}: ${e.message}\n`);
    process.exit(2);
  }
  let started;
  try {
    started = await startGateway({
      hubUrl: args.hub,
      hubSdl: { sdl, file: args["hub-sdl"] },
      port: Number(args.port),
    });
  } catch (e) {
    if (e.compositionErrors) {
      for (const err of e.compositionErrors) printError(err);
      process.stderr.write(`${e.message}\n`);
    } else {
      process.stderr.write(`${e?.stack ?? e}\n`);
    }
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ url: started.url, housingFund: started.housingFund }) + "\n");
  onShutdown(started.stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
