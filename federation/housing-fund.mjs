// The housing-provident-fund (住房公积金) subgraph: housing-fund.graphql served with
// @apollo/subgraph + @apollo/server on 127.0.0.1. Its data is made up, but derived
// only from the ID number, so a test can predict every answer (see `housingFundOf`).
//
//   node housing-fund.mjs [--port 0]
//
// Prints one line, {"url":"http://127.0.0.1:PORT/"}, once it listens; exits when its
// standard input (a pipe) closes, or on SIGTERM / SIGINT. gateway.mjs runs the same
// server in-process through `startHousingFund`.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { GraphQLError, GraphQLScalarType, Kind, parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { noNetworkEnv, onShutdown, parseArgs, stderrLogger } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const HOUSING_FUND_SDL_PATH = join(here, "housing-fund.graphql");

const ID = /^\d{17}[\dX]$/;

/**
 * The account of an 18-character ID number `id` (digits d0..d16, check char d17):
 * - null when `id` is not 18 characters of the right shape;
 * - a `SOURCE_UNAVAILABLE` error when the sequence digits d14..d16 are `000` (so a test
 *   can see a subgraph's error come through the gateway with its code);
 * - accountNumber: "GJJ" + id;
 * - accountStatus: "NORMAL" when d16 is even, else "SEALED";
 * - monthlyDeposit: 300 + 1.5 × (d14d15d16 as a number), e.g. `…123X` → 484.5;
 * - depositedSince: (birth year d6..d9 + 22)-(birth month d10d11)-01,
 *   e.g. `110101199003070123` → "2012-03-01".
 */
export function housingFundOf(id) {
  if (typeof id !== "string" || !ID.test(id)) return null;
  const seq = id.slice(14, 17);
  if (seq === "000") {
    throw new GraphQLError("housing fund source unavailable", {
      extensions: { code: "SOURCE_UNAVAILABLE" },
    });
  }
  return {
    accountNumber: `GJJ${id}`,
    accountStatus: Number(id[16]) % 2 === 0 ? "NORMAL" : "SEALED",
    monthlyDeposit: 300 + 1.5 * Number(seq),
    depositedSince: `${Number(id.slice(6, 10)) + 22}-${id.slice(10, 12)}-01`,
  };
}

// `IdNumber` travels as a string; the hub normalises it, this subgraph only passes it on
// (upper-casing a trailing `x`).
const IdNumber = new GraphQLScalarType({
  name: "IdNumber",
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== "string") throw new GraphQLError("IdNumber must be a string");
    return v.trim().toUpperCase();
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("IdNumber must be a string");
    return ast.value.trim().toUpperCase();
  },
});

const resolvers = {
  IdNumber,
  Query: {
    // `GJJ` + an ID number of the right shape → that person (the gateway fetches the
    // rest of the person from the hub by key); anything else → null.
    housingFundAccount: (_, { accountNumber }) => {
      const id = accountNumber.trim().toUpperCase().replace(/^GJJ/, "");
      return accountNumber.trim().toUpperCase().startsWith("GJJ") && ID.test(id) ? { idNumber: id } : null;
    },
  },
  Person: {
    __resolveReference: (ref) => ({
      idNumber: typeof ref.idNumber === "string" ? ref.idNumber.trim().toUpperCase() : ref.idNumber,
    }),
    housingFund: (person) => housingFundOf(person.idNumber),
  },
};

export function housingFundSchema() {
  const typeDefs = parse(readFileSync(HOUSING_FUND_SDL_PATH, "utf8"));
  return buildSubgraphSchema([{ typeDefs, resolvers }]);
}

/**
 * Starts the subgraph on `host` (127.0.0.1) and `port` (0: any free port).
 * Returns `{ url, stop }`.
 */
export async function startHousingFund({ port = 0, host = "127.0.0.1", logger = stderrLogger } = {}) {
  noNetworkEnv();
  const server = new ApolloServer({
    schema: housingFundSchema(),
    logger,
    includeStacktraceInErrorResponses: false,
    // The process's own handlers (onShutdown) stop it.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host, port } });
  return { url, stop: () => server.stop() };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = parseArgs(process.argv.slice(2), { port: "0" });
  const { url, stop } = await startHousingFund({ port: Number(args.port) });
  process.stdout.write(JSON.stringify({ url }) + "\n");
  onShutdown(stop);
}
