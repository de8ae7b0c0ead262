// Runs every benchmark in turn: `npm run bench`, or `node bench/run.mjs workers queues`.
const all = ['workers', 'queues'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const name of wanted) await import(`./${name}.mjs`);
