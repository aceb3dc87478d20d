'use strict';
// node-redis (the `redis` package) against `tcpkit serve kv` (or, with --redis, against
// redis-server): connecting, strings, lists, hashes, pipelines, transactions, errors, binary
// values, databases, AUTH.
// Usage: node node_redis_test.js path/to/tcpkit | --redis [path/to/redis-server]

const assert = require('node:assert/strict');
const { createClient, ErrorReply, WatchError, RESP_TYPES } = require('redis');
const { main, rejection, WRONGTYPE, ALL_BYTES } = require('./lib');

// A connected client that does not reconnect when the server goes away.
async function connect(server, options = {}) {
  const client = createClient({ socket: { ...server.endpoint, reconnectStrategy: false }, ...options });
  client.on('error', () => {});  // each command reports its own error
  await client.connect();
  return client;
}

// Runs fn(client) and always closes the client.
async function using(server, options, fn) {
  const client = await connect(server, options);
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

// HGETALL's object (node-redis makes it without a prototype) as a plain one.
const plain = (object) => ({ ...object });

main('node-redis', {
  // node-redis pipelines CLIENT SETINFO LIB-VER and LIB-NAME after connecting.
  async connect({ server, target }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.ping(), 'PONG');
      assert.ok(r.isReady);
      // Redis 7.2's command; 7.0.15, the oracle, does not know it and node-redis ignores that.
      const setinfo = r.sendCommand(['CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis']);
      if (target.kind === 'redis') {
        assert.match((await rejection(setinfo)).message, /unknown subcommand 'SETINFO'/);
      } else {
        assert.equal(await setinfo, 'OK');
        const bad = await rejection(r.sendCommand(['CLIENT', 'SETINFO', 'lib-name', 'x\ny']));
        assert.equal(bad.message, 'ERR lib-name cannot contain spaces, newlines or special characters.');
        const other = await rejection(r.sendCommand(['CLIENT', 'SETINFO', 'lib-os', 'linux']));
        assert.equal(other.message, "ERR Unrecognized option 'lib-os'");
      }
    });
  },

  async strings({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
      assert.equal(await r.get('missing'), null);
      assert.equal(await r.set('k', 'w', { condition: 'NX' }), null);
      assert.equal(await r.set('k', 'w', { condition: 'XX', GET: true }), 'v');
      assert.equal(await r.set('fresh', '1', { expiration: { type: 'EX', value: 100 } }), 'OK');
      const ttl = await r.ttl('fresh');
      assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await r.incr('n'), 1);
      assert.equal(await r.incrBy('n', 41), 42);
      assert.equal(await r.mSet({ a: '1', b: '2' }), 'OK');
      assert.equal(await r.mSet([['c', '3']]), 'OK');
      assert.deepEqual(await r.mGet(['a', 'b', 'c', 'nope']), ['1', '2', '3', null]);
      assert.equal(await r.expire('a', 50), 1);
      const left = await r.ttl('a');
      assert.ok(left > 45 && left <= 50, `ttl ${left}`);
      assert.equal(await r.ttl('b'), -1);
      assert.equal(await r.ttl('nope'), -2);
      assert.equal(await r.pExpire('b', 1), 1);
      // An expired key is gone for GET whether or not the active cycle removed it yet.
      const deadline = Date.now() + 5000;
      while ((await r.get('b')) !== null) assert.ok(Date.now() < deadline, 'b never expired');
    });
  },

  async lists({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.rPush('l', ['a', 'b', 'c']), 3);
      assert.equal(await r.lPush('l', 'z'), 4);
      assert.deepEqual(await r.lRange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.equal(await r.lPop('l'), 'z');
      assert.deepEqual(await r.lPopCount('l', 2), ['a', 'b']);
      assert.equal(await r.lPop('nope'), null);
      assert.equal(await r.lMove('l', 'dst', 'LEFT', 'RIGHT'), 'c');
      assert.deepEqual(await r.lRange('dst', 0, -1), ['c']);
      assert.equal(await r.exists('l'), 0);
    });
  },

  async hashes({ server }) {
    await using(server, {}, async (r) => {
      assert.equal(await r.hSet('h', { name: 'ada', visits: 1 }), 2);
      assert.deepEqual(plain(await r.hGetAll('h')), { name: 'ada', visits: '1' });
      assert.deepEqual(plain(await r.hGetAll('nope')), {});
      assert.equal(await r.hIncrBy('h', 'visits', 9), 10);
      assert.equal(await r.hGet('h', 'visits'), '10');
      // More fields than hash-max-listpack-entries (512 in Debian's build), so HSCAN takes
      // several calls.
      const fields = {};
      for (let i = 0; i < 1000; i++) fields[`f${i}`] = `v${i}`;
      await r.hSet('big', fields);
      const seen = {};
      let cursor = '0', calls = 0;
      do {
        const reply = await r.hScan('big', cursor, { COUNT: 20 });
        for (const { field, value } of reply.entries) seen[field] = value;
        cursor = String(reply.cursor);
        calls++;
      } while (cursor !== '0');
      assert.deepEqual(seen, fields);
      assert.ok(calls > 1, `HSCAN ended after ${calls} call`);
    });
  },

  async pipelines_and_transactions({ server }) {
    await using(server, {}, async (r) => {
      const pipe = r.multi();
      for (let i = 0; i < 500; i++) pipe.set(`key:${i}`, String(i));
      for (let i = 0; i < 500; i++) pipe.incr(`key:${i}`);
      const results = await pipe.execAsPipeline();
      assert.equal(results.length, 1000);
      assert.deepEqual(results.slice(500), Array.from({ length: 500 }, (_, i) => i + 1));
      assert.equal(await r.dbSize(), 500);
      // Commands sent without awaiting each one go out together, as a pipeline.
      assert.deepEqual(await Promise.all([r.set('p', '1'), r.incr('p'), r.get('p')]), ['OK', 2, '2']);

      assert.deepEqual(await r.multi().set('t', '1').incr('t').get('t').exec(), ['OK', 2, '2']);
      // WATCH: another client's write aborts EXEC.
      await using(server, {}, async (other) => {
        await r.watch('balance');
        await other.set('balance', '100');
        const aborted = await rejection(r.multi().set('balance', '0').exec());
        assert.ok(aborted instanceof WatchError, `not a WatchError: ${aborted}`);
      });
      assert.equal(await r.get('balance'), '100');
    });
  },

  async errors({ server }) {
    await using(server, {}, async (r) => {
      await r.rPush('list', 'x');
      const e = await rejection(r.get('list'));
      assert.ok(e instanceof ErrorReply, `not an ErrorReply: ${e}`);
      assert.equal(e.message, WRONGTYPE);
      assert.equal((await rejection(r.hSet('list', 'f', 'v'))).message, WRONGTYPE);
      const arity = await rejection(r.sendCommand(['GET']));
      assert.equal(arity.message, "ERR wrong number of arguments for 'get' command");
      const unknown = await rejection(r.sendCommand(['NOSUCHCMD', 'a']));
      assert.equal(unknown.message,
                   "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ");
      // A command that fails at EXEC fails alone; the transaction's other replies stand.
      const mixed = await rejection(r.multi().set('s', 'x').incr('s').get('s').exec());
      assert.equal(mixed.replies[0], 'OK');
      assert.match(mixed.replies[1].message, /^ERR value is not an integer or out of range/);
      assert.equal(mixed.replies[2], 'x');
      assert.equal(await r.ping(), 'PONG');  // the connection survives its errors
    });
  },

  async binary_values({ server }) {
    await using(server, {}, async (text) => {
      const r = text.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const key = Buffer.from([0, 1, 0xfe, 0xff, 13, 10]);
      assert.equal(await r.set(key, ALL_BYTES), 'OK');
      assert.deepEqual(await r.get(key), ALL_BYTES);
      assert.equal(await r.strLen(key), 256);
      await r.rPush('bl', [ALL_BYTES, Buffer.alloc(0)]);
      assert.deepEqual(await r.lRange('bl', 0, -1), [ALL_BYTES, Buffer.alloc(0)]);
      await r.hSet('bh', Buffer.from('f\r\n'), ALL_BYTES);
      assert.deepEqual(await r.hGet('bh', Buffer.from('f\r\n')), ALL_BYTES);
    });
  },

  async databases({ server }) {
    await using(server, { database: 3 }, async (r3) => {
      await r3.set('where', 'three');
      await using(server, {}, async (r0) => {
        assert.equal(await r0.get('where'), null);
        await r0.select(3);  // node-redis resolves it with nothing, and remembers the db
        assert.equal(await r0.get('where'), 'three');
        const e = await rejection(r0.select(16));
        assert.equal(e.message, 'ERR DB index is out of range');
      });
    });
  },

  // A subscriber on a connection of its own (RESP2, and RESP3 where pushes share the
  // connection with replies), a pattern, and the publisher's receiver counts.
  async pubsub({ server }) {
    for (const RESP of [2, 3]) {
      await using(server, { RESP }, async (pub) => {
        const sub = await connect(server, { RESP });
        try {
          const got = [];
          let arrived;
          const all = new Promise((resolve) => { arrived = resolve; });
          const note = (what) => { got.push(what); if (got.length === 3) arrived(); };
          await sub.subscribe('news', (message, channel) => note(`${channel}:${message}`));
          await sub.pSubscribe('sp*', (message, channel) => note(`p ${channel}:${message}`));
          assert.equal(await pub.publish('news', 'a'), 1);
          assert.equal(await pub.publish('sport', 'b'), 1);
          assert.equal(await pub.publish('news', 'c'), 1);
          assert.equal(await pub.publish('nobody', 'd'), 0);
          await all;
          assert.deepEqual(got, ['news:a', 'p sport:b', 'news:c']);
          assert.deepEqual(plain(await pub.pubSubNumSub("news")), { news: 1 });
          assert.equal(await pub.pubSubNumPat(), 1);
          await sub.unsubscribe('news');
          await sub.pUnsubscribe();
          assert.deepEqual(plain(await pub.pubSubNumSub("news")), { news: 0 });
        } finally {
          sub.destroy();
        }
      });
    }
  },

  async auth({ startServer }) {
    const server = await startServer({ password: 's3cret' });
    await using(server, { password: 's3cret' }, async (r) => {
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
    });
    await using(server, {}, async (r) => {
      const e = await rejection(r.get('k'));
      assert.ok(e instanceof ErrorReply);
      assert.equal(e.message, 'NOAUTH Authentication required.');
      const wrong = await rejection(r.auth({ password: 'nope' }));
      assert.equal(wrong.message, 'WRONGPASS invalid username-password pair or user is disabled.');
      assert.equal(await r.auth({ password: 's3cret' }), 'OK');
      assert.equal(await r.get('k'), 'v');
    });
    // A wrong password given at connect fails connect() itself.
    const refused = await rejection(connect(server, { password: 'nope' }));
    assert.match(refused.message, /^WRONGPASS/);
  },
});
