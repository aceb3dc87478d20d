'use strict';
// ioredis with sets and sorted sets. Until the set and sorted-set commands land in kv, this
// file is verified against redis-server only (--redis) and skips against kv (exit 77).
// Usage: node ioredis_sets_zsets.js path/to/tcpkit | --redis [path/to/redis-server]

const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { main, rejection, WRONGTYPE } = require('./lib');

// kv's branch for sets and sorted sets adds these; until then this file skips against kv.
const REQUIRES = ['sadd', 'smembers', 'sismember', 'sinter', 'zadd', 'zrange', 'zscore', 'zincrby',
                  'zrangebyscore'];

async function using(server, fn) {
  const client = new Redis({ ...server.endpoint, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

main('ioredis sets and sorted sets', {
  async sets({ server }) {
    await using(server, async (r) => {
      assert.equal(await r.sadd('s', 'a', 'b', 'c', 'a'), 3);
      assert.equal(await r.sadd('s', ['c', 'd']), 1);
      assert.deepEqual((await r.smembers('s')).sort(), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await r.smembers('nope'), []);
      assert.equal(await r.sismember('s', 'a'), 1);
      assert.equal(await r.sismember('s', 'z'), 0);
      await r.sadd('t', 'b', 'd', 'e');
      assert.deepEqual((await r.sinter('s', 't')).sort(), ['b', 'd']);
      assert.deepEqual(await r.sinter('s', 'nope'), []);
      await r.set('str', 'v');
      assert.equal((await rejection(r.sadd('str', 'x'))).message, WRONGTYPE);
    });
  },

  async sorted_sets({ server }) {
    await using(server, async (r) => {
      assert.equal(await r.zadd('z', 1, 'one', 2, 'two', 3.5, 'three'), 3);
      assert.equal(await r.zadd('z', 'NX', 10, 'one', 0, 'zero'), 1);
      assert.deepEqual(await r.zrange('z', 0, -1), ['zero', 'one', 'two', 'three']);
      assert.deepEqual(await r.zrange('z', 0, 1, 'WITHSCORES'), ['zero', '0', 'one', '1']);
      assert.equal(await r.zscore('z', 'three'), '3.5');
      assert.equal(await r.zscore('z', 'nope'), null);
      assert.equal(await r.zincrby('z', 2.25, 'two'), '4.25');
      assert.equal(await r.zincrby('z', 1, 'new'), '1');
      assert.deepEqual(await r.zrangebyscore('z', 1, 4), ['new', 'one', 'three']);
      assert.deepEqual(await r.zrangebyscore('z', '(1', '+inf', 'WITHSCORES'),
                       ['three', '3.5', 'two', '4.25']);
      assert.deepEqual(await r.zrangebyscore('z', '-inf', '+inf', 'LIMIT', 1, 2), ['new', 'one']);
      const e = await rejection(r.zadd('z', 'x', 'bad'));
      assert.equal(e.message, 'ERR value is not a valid float');
      await r.set('str', 'v');
      assert.equal((await rejection(r.zadd('str', 1, 'x'))).message, WRONGTYPE);
    });
  },
}, { requires: REQUIRES });
