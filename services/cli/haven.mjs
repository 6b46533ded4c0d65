#!/usr/bin/env node
// `npx haven` / an installed `haven`: the CLI is TypeScript, run through the repository's tsx loader.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
