import pino, { type DestinationStream, type Logger } from 'pino';

export type Log = Logger;

/** Paths that carry a capability (a consent link's token): the token never reaches the log. */
const CAPABILITY_PATH = /^(\/consent\/)[^/?#]+/;
export const loggedUrl = (url: string): string => url.replace(CAPABILITY_PATH, '$1[token]');

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** A JSON logger on standard output, or on `to` (commands log to standard error). */
export function createLog(level: string = process.env.LOG_LEVEL ?? 'info', to?: DestinationStream): Log {
  const options = {
    level,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["osdi-api-token"]'],
    // Fastify's own request serializer, with capability tokens taken out of the URL.
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: loggedUrl(String(req.url ?? '')),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
  return to ? pino(options, to) : pino(options);
}

export const silentLog: Log = pino({ level: 'silent' });
