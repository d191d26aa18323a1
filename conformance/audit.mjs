// Runs the graphql-http server audit suite against a started hub and prints one JSON line
// per audit: {"id", "name", "status"} (plus "reason" when it did not pass). Exit code 0 when
// it ran; judging the results is the Rust test's job (tests/integration/conformance.rs).
//
//   node audit.mjs <graphql url> <consumer key> <purpose>
import { auditServer } from "graphql-http";

const [url, key, purpose] = process.argv.slice(2);
if (!url || !key || !purpose) {
  console.error("usage: node audit.mjs <graphql url> <consumer key> <purpose>");
  process.exit(2);
}

// Every request carries the consumer's key and purpose, as a department system's would.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${key}`);
  headers.set("x-purpose", purpose);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
for (const r of results) {
  const line = { id: r.id, name: r.name, status: r.status };
  if (r.status !== "ok") line.reason = r.reason;
  console.log(JSON.stringify(line));
}
