// Small helpers shared by compose.mjs, housing-fund.mjs and gateway.mjs.
import { fstatSync } from "node:fs";
import { format } from "node:util";

/**
 * `--name value` / `--name=value` options into an object (defaults from `defaults`),
 * other words into `_`. Exits 2 on an option without a value.
 */
export function parseArgs(argv, defaults = {}) {
  const out = { ...defaults, _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length) {
      out[a.slice(2)] = argv[++i];
    } else {
      process.stderr.write(`option ${a} needs a value\n`);
      process.exit(2);
    }
  }
  return out;
}

/** A logger for Apollo Server and the gateway that keeps stdout for the one JSON line. */
export const stderrLogger = {
  debug: () => {},
  info: (...a) => process.stderr.write(`info: ${format(...a)}\n`),
  warn: (...a) => process.stderr.write(`warn: ${format(...a)}\n`),
  error: (...a) => process.stderr.write(`error: ${format(...a)}\n`),
};

/**
 * No call to Apollo's services, whatever the environment: no graph key or ref (usage
 * and schema reporting stay off), and the gateway's OpenTelemetry data collection,
 * which exports to Apollo unless APOLLO_TELEMETRY_DISABLED is set, is off.
 */
export function noNetworkEnv() {
  for (const k of [
    "APOLLO_KEY",
    "APOLLO_GRAPH_REF",
    "APOLLO_GRAPH_ID",
    "APOLLO_GRAPH_VARIANT",
    "APOLLO_SCHEMA_REPORTING",
  ]) {
    delete process.env[k];
  }
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
}

/**
 * Runs `stop` once, then exits 0, on SIGTERM, SIGINT, or the end of standard input when
 * that is a pipe or socket (a parent holding the other end: when it closes it, or dies,
 * this process goes too). Standard input from /dev/null or a terminal is not watched.
 */
export function onShutdown(stop) {
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    try {
      await stop();
    } catch (e) {
      process.stderr.write(`error while stopping: ${e?.stack ?? e}\n`);
    }
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  let watchStdin = false;
  try {
    const st = fstatSync(0);
    watchStdin = st.isFIFO() || st.isSocket();
  } catch {
    watchStdin = false;
  }
  if (watchStdin) {
    process.stdin.on("end", shutdown);
    process.stdin.on("close", shutdown);
    process.stdin.on("error", shutdown);
    process.stdin.resume();
  }
}
