'use strict';
// node-redis with sets and sorted sets. Until the set and sorted-set commands land in kv,
// this file is verified against redis-server only (--redis) and skips against kv (exit 77).
// Usage: node node_redis_sets_zsets.js path/to/tcpkit | --redis [path/to/redis-server]

const assert = require('node:assert/strict');
const { createClient } = require('redis');
const { main, rejection, WRONGTYPE } = require('./lib');

// kv's branch for sets and sorted sets adds these; until then this file skips against kv.
const REQUIRES = ['sadd', 'smembers', 'sismember', 'sinter', 'zadd', 'zrange', 'zscore', 'zincrby',
                  'zrangebyscore'];

async function using(server, fn) {
  const client = createClient({ socket: { ...server.endpoint, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

main('node-redis sets and sorted sets', {
  async sets({ server }) {
    await using(server, async (r) => {
      assert.equal(await r.sAdd('s', ['a', 'b', 'c', 'a']), 3);
      assert.equal(await r.sAdd('s', 'd'), 1);
      assert.deepEqual((await r.sMembers('s')).sort(), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await r.sMembers('nope'), []);
      assert.equal(await r.sIsMember('s', 'a'), 1);
      assert.equal(await r.sIsMember('s', 'z'), 0);
      await r.sAdd('t', ['b', 'd', 'e']);
      assert.deepEqual((await r.sInter(['s', 't'])).sort(), ['b', 'd']);
      assert.deepEqual(await r.sInter(['s', 'nope']), []);
      await r.set('str', 'v');
      assert.equal((await rejection(r.sAdd('str', 'x'))).message, WRONGTYPE);
    });
  },

  async sorted_sets({ server }) {
    await using(server, async (r) => {
      assert.equal(await r.zAdd('z', [{ score: 1, value: 'one' }, { score: 2, value: 'two' },
                                       { score: 3.5, value: 'three' }]), 3);
      assert.equal(await r.zAdd('z', [{ score: 10, value: 'one' }, { score: 0, value: 'zero' }],
                                { condition: 'NX' }), 1);
      assert.deepEqual(await r.zRange('z', 0, -1), ['zero', 'one', 'two', 'three']);
      assert.deepEqual(await r.zRangeWithScores('z', 0, 1),
                       [{ value: 'zero', score: 0 }, { value: 'one', score: 1 }]);
      assert.equal(await r.zScore('z', 'three'), 3.5);
      assert.equal(await r.zScore('z', 'nope'), null);
      assert.equal(await r.zIncrBy('z', 2.25, 'two'), 4.25);
      assert.equal(await r.zIncrBy('z', 1, 'new'), 1);
      assert.deepEqual(await r.zRangeByScore('z', 1, 4), ['new', 'one', 'three']);
      assert.deepEqual(await r.zRangeByScoreWithScores('z', '(1', '+inf'),
                       [{ value: 'three', score: 3.5 }, { value: 'two', score: 4.25 }]);
      assert.deepEqual(await r.zRangeByScore('z', '-inf', '+inf', { LIMIT: { offset: 1, count: 2 } }),
                       ['new', 'one']);
      const e = await rejection(r.sendCommand(['ZADD', 'z', 'x', 'bad']));
      assert.equal(e.message, 'ERR value is not a valid float');
      await r.set('str', 'v');
      assert.equal((await rejection(r.zAdd('str', { score: 1, value: 'x' }))).message, WRONGTYPE);
    });
  },
}, { requires: REQUIRES });
