// Runs every benchmark in turn. `npm run bench`.
await import('./workers.mjs');
