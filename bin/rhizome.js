#!/usr/bin/env node
// Rhizome's command line. TypeScript runs through tsx's loader: no build step between a clone and
// `npx rhizome` (docs/adr/0003-run-typescript-with-tsx.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
