import pino, { type Logger } from 'pino';

export type Log = Logger;

export function createLog(level: string = process.env.LOG_LEVEL ?? 'info'): Log {
  return pino({
    level,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["osdi-api-token"]'],
  });
}

export const silentLog: Log = pino({ level: 'silent' });
