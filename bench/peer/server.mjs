// PostGraphile v5 (amber preset, simplified inflection, no mutations) over the benchmark
// database: the peer bench/peer.sh measures the hub against. One Node process, as
// `npx postgraphile` would run it; its pool is pg's default of 10 connections.
//
//   node server.mjs postgres://postgres@127.0.0.1:5432/archive_hub_bench 18090
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";

const [connectionString, port] = process.argv.slice(2);
if (!connectionString || !port) {
  console.error("usage: node server.mjs DATABASE_URL PORT");
  process.exit(2);
}

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [
    makePgService({ connectionString, schemas: ["public"], poolConfig: { max: 10 } }),
  ],
  schema: { defaultBehavior: "-insert -update -delete" },
  grafserv: { port: Number(port), graphiql: false, graphqlPath: "/graphql" },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
serv.addTo(server).then(() => {
  server.listen(Number(port), "127.0.0.1", () => console.error(`peer listening on ${port}`));
});
