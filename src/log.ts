import pino, { type DestinationStream, type Logger } from 'pino';

export type Log = Logger;

/** A JSON logger on standard output, or on `to` (commands log to standard error). */
export function createLog(level: string = process.env.LOG_LEVEL ?? 'info', to?: DestinationStream): Log {
  const options = {
    level,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["osdi-api-token"]'],
  };
  return to ? pino(options, to) : pino(options);
}

export const silentLog: Log = pino({ level: 'silent' });
