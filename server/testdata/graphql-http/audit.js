// Runs the graphql-http server audits against AUDIT_URL, signed in with
// AUDIT_TOKEN, and prints one JSON line per audit: {id, name, status, reason}.
// server/conformance_test.go starts the server and judges the results.
'use strict';
const { auditServer } = require('graphql-http');

const url = process.env.AUDIT_URL;
const token = process.env.AUDIT_TOKEN;
if (!url || !token) {
  console.error('AUDIT_URL and AUDIT_TOKEN are required');
  process.exit(2);
}

// Every audit request carries the bearer token, whatever headers it sets.
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

auditServer({ url, fetchFn: fetchWithToken }).then(
  async (results) => {
    for (const r of results) {
      let reason = r.reason || '';
      if (r.response && r.status !== 'ok') {
        const body = await r.response.text().catch(() => '');
        reason += ` (HTTP ${r.response.status} ${r.response.headers.get('content-type')}: ${body.slice(0, 300)})`;
      }
      console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason }));
    }
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
