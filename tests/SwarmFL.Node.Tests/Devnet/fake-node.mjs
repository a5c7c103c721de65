#!/usr/bin/env node
// TEST DOUBLE for `swarmfl node` and `swarmfl audit`, used only by DevnetLauncherTests to exercise the launcher's
// process handling and file reading. Its accuracies are made up; nothing it writes is a result of training.
// FAKE_NODE_HANG=1: never finishes (for the Ctrl-C test). FAKE_AUDIT_EXIT=N: the audit's exit code.
import { writeFileSync, renameSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [command, ...rest] = process.argv.slice(2);
const flags = {};
for (let i = 0; i < rest.length; i++) {
  const name = rest[i].replace(/^--/, '');
  if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) flags[name] = rest[++i];
  else flags[name] = true;
}

if (command === 'audit') {
  const dirs = (flags['data-dirs'] ?? '').split(',');
  const missing = dirs.filter(d => !existsSync(join(d, 'rounds.jsonl')));
  console.log(`fake audit of ${flags.contract} at ${flags.rpc}: ${dirs.length} data dirs, ${missing.length} without rounds.jsonl`);
  process.exit(Number(process.env.FAKE_AUDIT_EXIT ?? (missing.length ? 1 : 0)));
}
if (command !== 'node') { console.error(`fake node: unknown command ${command}`); process.exit(2); }

const dir = flags['data-dir'];
const part = Number(flags.part), parts = Number(flags.parts), rounds = Number(flags.rounds);
const peerId = `16Uiu2FAKE${part}xxxxxxxxxxxxxxxxxxxxxxxxx`;
writeFileSync(join(dir, 'args.json'), JSON.stringify(process.argv.slice(2)));
writeFileSync(join(dir, 'pid'), String(process.pid));
const address = `0x${String(part + 1).padStart(40, '0')}`;
let status = { peerId, address, listen: `${flags.listen}/p2p/${peerId}`, round: 0, phase: 'Waiting', role: 'Observer',
  cluster: 0, activity: 'registering', progress: null, localAccuracy: null, baseAccuracy: null, stopped: false, error: null };
const write = (change) => {
  status = { ...status, ...change, updatedAt: new Date().toISOString() };
  writeFileSync(join(dir, 'status.json.tmp'), JSON.stringify(status));
  renameSync(join(dir, 'status.json.tmp'), join(dir, 'status.json'));
};
process.on('SIGTERM', () => { try { write({ stopped: true, activity: 'stopped' }); } finally { process.exit(143); } });
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
write({});
if (process.env.FAKE_NODE_HANG === '1') { write({ activity: 'hanging (test)' }); setInterval(() => {}, 1000); }
else {
  for (let round = 1; round <= rounds; round++) {
    for (let p = 0; p <= 1; p += 0.5) { write({ round, phase: 'Commit', role: 'Member', activity: 'training', progress: p }); await sleep(100); }
    const leader = (round - 1) % parts === part;
    write({ phase: 'Merge', role: leader ? 'Leader' : 'Member', activity: leader ? 'merging' : 'waiting for the merge', progress: null });
    await sleep(100);
    const local = 0.5 + 0.1 * round + 0.01 * part, merged = 0.6 + 0.1 * round;
    appendFileSync(join(dir, 'rounds.jsonl'), JSON.stringify({ round, cluster: 0, role: leader ? 'Leader' : 'Member',
      baseModel: 'bafkreibase', baseTestAccuracy: merged - 0.1, localModel: `bafkreilocal${part}`, localTestAccuracy: local, samples: 100 + part,
      mergedModel: `bafkreimerged${round}`, semiGlobalModel: `bafkreisemi${round}`, semiGlobalTestAccuracy: merged,
      seconds: { round: 1.5, train: 1, transfer: 0.1, chain: 0.3, aggregate: 0.1 },
      traffic: { gossip: { bytesIn: 10, bytesOut: 20, messagesIn: 1, messagesOut: 2 } } }) + '\n');
    write({ phase: 'Waiting', localAccuracy: local, baseAccuracy: merged });
  }
  write({ stopped: true, activity: 'done' });
}
