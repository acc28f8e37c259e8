/**
 * The load side of bench/signup.ts, in its own process so that it does not share the server's
 * event loop: autocannon posts public RSVPs, a share of them from people the organization already
 * has, and writes what it sent and what was accepted to a JSON file.
 *
 *   node bin/run-ts.js bench/signup-load.ts '<json config>'
 */
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface Config {
  url: string;
  path: string;
  connections: number;
  amount: number;
  knownCount: number;
  knownShare: number;
  newPrefix: string;
  /** Fill the honeypot field: the app answers as for a person and writes nothing. */
  honeypot?: boolean;
  out: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
let sent = 0;
const acceptedNew: string[] = [];
const acceptedKnown = new Set<number>();
const statuses: Record<string, number> = {};

const result = await autocannon({
  url: config.url,
  connections: config.connections,
  amount: config.amount,
  timeout: 120,
  requests: [
    {
      method: 'POST',
      path: config.path,
      headers: { 'content-type': 'application/json' },
      setupRequest: (request, context) => {
        sent += 1;
        const known = random() < config.knownShare;
        const n = known ? Math.floor(random() * config.knownCount) : sent;
        const email = known
          ? `${n % 2 ? 'Known' : 'known'}-${n}@signup.bench.example.org`
          : `${config.newPrefix}-${n}@signup.bench.example.org`;
        context.known = known;
        context.n = n;
        return {
          ...request,
          body: JSON.stringify({
            given_name: known ? `Known${n}` : `New${n}`,
            email,
            consent: { email_updates: n % 3 !== 0 },
            ...(config.honeypot ? { website: 'https://spam.example' } : {}),
          }),
        };
      },
      onResponse: (status, _body, context) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 202) return;
        if (context.known) acceptedKnown.add(context.n as number);
        else acceptedNew.push(`${config.newPrefix}-${context.n}@signup.bench.example.org`);
      },
    },
  ],
});

writeFileSync(
  config.out,
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    durationS: result.duration,
    latency: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statuses,
    acceptedNew,
    acceptedKnown: [...acceptedKnown],
  }),
);
process.exit(0);
