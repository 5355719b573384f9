// Drives @alicloud/pop-core's RPCClient (signature V1) against kms-console serve.
// Usage: node pop_core.js ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET   (ENDPOINT as http://HOST:PORT)
// Reads one JSON call per line on stdin: {"action", "params", "method": "GET"|"POST"}; writes
// {"ok": document} or {"error": code, "status": http_status, "message": text} per call.
'use strict';
const readline = require('readline');
const RPCClient = require('@alicloud/pop-core').RPCClient;

async function main() {
  const [endpoint, accessKeyId, accessKeySecret] = process.argv.slice(2);
  const client = new RPCClient({ accessKeyId, accessKeySecret, endpoint, apiVersion: '2016-01-20' });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const call = JSON.parse(line);
    let out;
    try {
      const doc = await client.request(call.action, call.params || {}, { method: call.method || 'GET', timeout: 10000 });
      out = { ok: doc };
    } catch (e) {
      const status = e.entry && e.entry.response ? e.entry.response.statusCode : 0;
      out = { error: e.code || e.name, status, message: e.message };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
