'use strict';
// ioredis against `tcpkit serve kv` (or, with --redis, against redis-server): connecting,
// strings, lists, hashes, pipelines, transactions, errors, binary values, databases, AUTH.
// Usage: node ioredis_test.js path/to/tcpkit | --redis [path/to/redis-server]

const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { main, rejection, WRONGTYPE, ALL_BYTES } = require('./lib');

// A client that fails fast instead of reconnecting forever when the server goes away.
function connect(server, options = {}) {
  return new Redis({
    ...server.endpoint,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    ...options,
  });
}

// Runs fn(client) and always disconnects.
async function using(server, options, fn) {
  const client = connect(server, options);
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

main('ioredis', {
  // ioredis's handshake: INFO (the ready check) and CLIENT SETINFO LIB-NAME/LIB-VER.
  async connect({ server, target }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.ping(), 'PONG');
      assert.equal(r.status, 'ready');
      // Redis 7.2's command; 7.0.15, the oracle, does not know it and ioredis ignores that.
      const setinfo = r.client('SETINFO', 'LIB-NAME', 'ioredis');
      if (target.kind === 'redis') {
        assert.match((await rejection(setinfo)).message, /unknown subcommand 'SETINFO'/);
      } else {
        assert.equal(await setinfo, 'OK');
        const bad = await rejection(r.client('SETINFO', 'LIB-VER', 'a b'));
        assert.equal(bad.message, 'ERR LIB-VER cannot contain spaces, newlines or special characters.');
      }
    });
  },

  async strings({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
      assert.equal(await r.get('missing'), null);
      assert.equal(await r.set('k', 'w', 'NX'), null);
      assert.equal(await r.set('k', 'w', 'XX', 'GET'), 'v');
      assert.equal(await r.set('fresh', '1', 'EX', 100, 'NX'), 'OK');
      const ttl = await r.ttl('fresh');
      assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await r.incr('n'), 1);
      assert.equal(await r.incrby('n', 41), 42);
      assert.equal(await r.mset({ a: '1', b: '2' }), 'OK');
      assert.equal(await r.mset('c', 3), 'OK');
      assert.deepEqual(await r.mget('a', 'b', 'c', 'nope'), ['1', '2', '3', null]);
      assert.equal(await r.expire('a', 50), 1);
      const left = await r.ttl('a');
      assert.ok(left > 45 && left <= 50, `ttl ${left}`);
      assert.equal(await r.ttl('b'), -1);
      assert.equal(await r.ttl('nope'), -2);
      assert.equal(await r.pexpire('b', 1), 1);
      // An expired key is gone for GET whether or not the active cycle removed it yet.
      const deadline = Date.now() + 5000;
      while ((await r.get('b')) !== null) assert.ok(Date.now() < deadline, 'b never expired');
    });
  },

  async lists({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
      assert.equal(await r.lpush('l', 'z'), 4);
      assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.equal(await r.lpop('l'), 'z');
      assert.deepEqual(await r.lpop('l', 2), ['a', 'b']);
      assert.equal(await r.lpop('nope'), null);
      assert.equal(await r.lmove('l', 'dst', 'LEFT', 'RIGHT'), 'c');
      assert.deepEqual(await r.lrange('dst', 0, -1), ['c']);
      assert.equal(await r.exists('l'), 0);
    });
  },

  async hashes({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.hset('h', { name: 'ada', visits: 1 }), 2);
      assert.deepEqual(await r.hgetall('h'), { name: 'ada', visits: '1' });
      assert.deepEqual(await r.hgetall('nope'), {});
      assert.equal(await r.hincrby('h', 'visits', 9), 10);
      assert.equal(await r.hget('h', 'visits'), '10');
      // More fields than hash-max-listpack-entries (512 in Debian's build), so HSCAN takes
      // several calls.
      const fields = {};
      for (let i = 0; i < 1000; i++) fields[`f${i}`] = `v${i}`;
      await r.hset('big', fields);
      const seen = {};
      let cursor = '0', calls = 0;
      do {
        const [next, flat] = await r.hscan('big', cursor, 'COUNT', 20);
        for (let i = 0; i < flat.length; i += 2) seen[flat[i]] = flat[i + 1];
        cursor = next;
        calls++;
      } while (cursor !== '0');
      assert.deepEqual(seen, fields);
      assert.ok(calls > 1, `HSCAN ended after ${calls} call`);
    });
  },

  async pipelines_and_transactions({ server }) {
    await using(server, {}, async (r) => {
      const pipe = r.pipeline();
      for (let i = 0; i < 500; i++) pipe.set(`key:${i}`, i);
      for (let i = 0; i < 500; i++) pipe.incr(`key:${i}`);
      const results = await pipe.exec();
      assert.equal(results.length, 1000);
      assert.ok(results.every(([err]) => err === null));
      assert.deepEqual(results.slice(500).map(([, v]) => v), Array.from({ length: 500 }, (_, i) => i + 1));
      assert.equal(await r.dbsize(), 500);

      assert.deepEqual(await r.multi().set('t', 1).incr('t').get('t').exec(),
                       [[null, 'OK'], [null, 2], [null, '2']]);
      // A command that fails at EXEC (not while queued) fails alone.
      const mixed = await r.multi().set('s', 'x').incr('s').get('s').exec();
      assert.equal(mixed[0][1], 'OK');
      assert.match(mixed[1][0].message, /^ERR value is not an integer or out of range/);
      assert.equal(mixed[2][1], 'x');
      // WATCH: another client's write aborts EXEC (ioredis answers null).
      await using(server, {}, async (other) => {
        await r.watch('balance');
        await other.set('balance', 100);
        assert.equal(await r.multi().set('balance', 0).exec(), null);
      });
      assert.equal(await r.get('balance'), '100');
    });
  },

  async errors({ server }) {
    await using(server, {}, async (r) => {
      await r.rpush('list', 'x');
      const e = await rejection(r.get('list'));
      assert.ok(e instanceof Redis.ReplyError, `not a ReplyError: ${e}`);
      assert.equal(e.message, WRONGTYPE);
      assert.equal((await rejection(r.hset('list', 'f', 'v'))).message, WRONGTYPE);
      const arity = await rejection(r.call('GET'));
      assert.equal(arity.message, "ERR wrong number of arguments for 'get' command");
      const unknown = await rejection(r.call('NOSUCHCMD', 'a'));
      assert.equal(unknown.message,
                   "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ");
      assert.equal(await r.ping(), 'PONG');  // the connection survives its errors
    });
  },

  async binary_values({ server }) {
    await using(server, {}, async (r) => {
      const key = Buffer.from([0, 1, 0xfe, 0xff, 13, 10]);
      assert.equal(await r.set(key, ALL_BYTES), 'OK');
      assert.deepEqual(await r.getBuffer(key), ALL_BYTES);
      assert.equal(await r.strlen(key), 256);
      await r.rpush('bl', ALL_BYTES, Buffer.alloc(0));
      assert.deepEqual(await r.lrangeBuffer('bl', 0, -1), [ALL_BYTES, Buffer.alloc(0)]);
      await r.hset('bh', Buffer.from('f\r\n'), ALL_BYTES);
      assert.deepEqual(await r.hgetBuffer('bh', Buffer.from('f\r\n')), ALL_BYTES);
    });
  },

  async databases({ server }) {
    await using(server, { db: 3 }, async (r3) => {
      await r3.set('where', 'three');
      await using(server, {}, async (r0) => {
        assert.equal(await r0.get('where'), null);
        assert.equal(await r0.select(3), 'OK');
        assert.equal(await r0.get('where'), 'three');
        const e = await rejection(r0.select(16));
        assert.equal(e.message, 'ERR DB index is out of range');
      });
    });
  },

  // subscribe/psubscribe on a connection of its own, 'message' and 'pmessage' events.
  async pubsub({ server }) {
    await using(server, {}, async (pub) => {
      await using(server, {}, async (sub) => {
        const got = [];
        let arrived;
        const all = new Promise((resolve) => { arrived = resolve; });
        const note = (what) => { got.push(what); if (got.length === 3) arrived(); };
        sub.on('message', (channel, message) => note(`${channel}:${message}`));
        sub.on('pmessage', (pattern, channel, message) => note(`${pattern} ${channel}:${message}`));
        assert.equal(await sub.subscribe('news', 'weather'), 2);
        assert.equal(await sub.psubscribe('sp*'), 3);
        assert.equal(await pub.publish('news', 'a'), 1);
        assert.equal(await pub.publish('sport', 'b'), 1);
        assert.equal(await pub.publish('weather', 'c'), 1);
        await all;
        assert.deepEqual(got, ['news:a', 'sp* sport:b', 'weather:c']);
        assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'x'), ['news', 1, 'x', 0]);
        await sub.unsubscribe('news', 'weather');
        await sub.punsubscribe('sp*');
        assert.equal(await pub.publish('news', 'gone'), 0);
        // Out of subscriber mode, the connection runs commands again.
        assert.equal(await sub.ping(), 'PONG');
      });
    });
  },

  async auth({ startServer }) {
    const server = await startServer({ password: 's3cret' });
    await using(server, { password: 's3cret' }, async (r) => {
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
    });
    await using(server, { enableReadyCheck: false }, async (r) => {
      const e = await rejection(r.get('k'));
      assert.equal(e.message, 'NOAUTH Authentication required.');
      const wrong = await rejection(r.auth('nope'));
      assert.equal(wrong.message, 'WRONGPASS invalid username-password pair or user is disabled.');
      assert.equal(await r.auth('s3cret'), 'OK');
      assert.equal(await r.get('k'), 'v');
    });
  },
});
