// Runs every benchmark in turn: `npm run bench`, or `node bench/run.mjs workers queues rabbitmq docker ssh diagnose`.
const all = ['workers', 'queues', 'rabbitmq', 'docker', 'ssh', 'diagnose'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const name of wanted) await import(`./${name}.mjs`);
