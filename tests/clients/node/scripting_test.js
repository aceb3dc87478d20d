'use strict';
// Scripting from Node: ioredis's defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT),
// node-redis's SCRIPT LOAD / EVALSHA / EVAL / FUNCTION LOAD / FCALL, and one sliding-window
// rate limiter script called from both libraries against the same key.
// Usage: node scripting_test.js path/to/tcpkit | --redis [path/to/redis-server]

const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { createClient } = require('redis');
const { main, rejection } = require('./lib');

// At most ARGV[2] calls per ARGV[1] ms for KEYS[1]; the caller passes the time (ARGV[3]).
const RATE_LIMITER = `
local key, window, limit, now = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 1`;

async function withIoredis(server, fn) {
  const client = new Redis({ ...server.endpoint, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

async function withNodeRedis(server, fn) {
  const client = createClient({ socket: { ...server.endpoint, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

main('scripting from ioredis and node-redis', {
  async ioredis_define_command({ server }) {
    await withIoredis(server, async (r) => {
      r.defineCommand('incrTwice', {
        numberOfKeys: 1,
        lua: "redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], ARGV[1])",
      });
      assert.equal(await r.incrTwice('n', 3), 6);
      await r.script('FLUSH');
      assert.equal(await r.incrTwice('n', 1), 8);  // NOSCRIPT, then EVAL
      const pipeline = await r.pipeline().incrTwice('n', 1).incrTwice('n', 1).exec();
      assert.deepEqual(pipeline, [[null, 10], [null, 12]]);
      assert.deepEqual(await r.eval('return {KEYS[1], ARGV[1], {ok="x"}}', 1, 'k', 'v'),
                       ['k', 'v', 'x']);
      const e = await rejection(r.eval("return redis.call('INCR', KEYS[1], 'x')", 1, 'k'));
      assert.match(e.message, /^ERR Wrong number of args calling Redis command from script/);
    });
  },

  async node_redis_scripts_and_functions({ server }) {
    await withNodeRedis(server, async (r) => {
      const sha = await r.scriptLoad('return ARGV[1] .. ARGV[2]');
      assert.equal(await r.evalSha(sha, { arguments: ['a', 'b'] }), 'ab');
      assert.deepEqual(await r.scriptExists(sha), [1]);
      assert.equal(await r.eval('return 7', {}), 7);
      const e = await rejection(r.evalSha('0'.repeat(40)));
      assert.equal(e.message, 'NOSCRIPT No matching script. Please use EVAL.');
      await r.sendCommand(['FUNCTION', 'LOAD', 'REPLACE',
        "#!lua name=nodelib\nredis.register_function('twice', function(keys, args) " +
        'return args[1] * 2 end)']);
      assert.equal(await r.fCall('twice', { arguments: ['21'] }), 42);
    });
  },

  async rate_limiter_from_two_libraries({ server }) {
    const now = 5000000;
    const sha = await withIoredis(server, (r) => r.script('LOAD', RATE_LIMITER));
    await withIoredis(server, async (r) => {
      assert.equal(await r.evalsha(sha, 1, 'rl', 1000, 3, now, 'io1'), 1);
      assert.equal(await r.evalsha(sha, 1, 'rl', 1000, 3, now + 1, 'io2'), 1);
    });
    await withNodeRedis(server, async (r) => {
      const call = (t, id) => r.evalSha(sha, { keys: ['rl'], arguments: ['1000', '3', `${t}`, id] });
      assert.equal(await call(now + 2, 'nr1'), 1);
      assert.equal(await call(now + 3, 'nr2'), 0);  // three in the window
      assert.equal(await call(now + 1001, 'nr3'), 1);  // io1 and io2 left it
      assert.deepEqual(await r.zRange('rl', 0, -1), ['nr1', 'nr3']);
    });
  },
});
