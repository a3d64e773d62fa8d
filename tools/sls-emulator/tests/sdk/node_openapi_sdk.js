// Drives sls-emulator with Alibaba Cloud's OpenAPI SDK for SLS (@alicloud/sls20201230,
// gateway @alicloud/gateway-sls), unmodified: v1 (hmac-sha256 variant) and v4 signatures,
// consumer groups, cursors, PullLogs with its own LZ4 decoder.
const dns = require('dns');
dns.lookup = (host, opts, cb) => {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  if (opts && opts.all) return cb(null, [{ address: '127.0.0.1', family: 4 }]);
  cb(null, '127.0.0.1', 4);
};
const Sls = require('@alicloud/sls20201230');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const port = process.argv[2];
const sigver = process.argv[3] || 'v1';
let failures = 0;
function check(cond, what) { console.log((cond ? 'ok   ' : 'FAIL ') + what); if (!cond) failures++; }
(async () => {
  const config = new $OpenApiUtil.Config({ accessKeyId: 'AK', accessKeySecret: 'SK', endpoint: `127.0.0.1:${port}`,
                                           protocol: 'http', regionId: 'cn-hangzhou', signatureVersion: sigver });
  const client = new Sls.default(config);
  const P = 'sdk', L = 'logs';
  const shards = await client.listShards(P, L);
  check(shards.body.length === 2 && shards.body[0].status === 'readwrite', `[${sigver}] ListShards: ${shards.body.length} shards`);
  const cur = await client.getCursor(P, L, '0', new Sls.GetCursorRequest({ from: 'begin' }));
  check(!!cur.body.cursor, `[${sigver}] GetCursor begin ${cur.body.cursor}`);
  // pullLogs() of this SDK version never puts the project in Host (no hostMap), so PullLogs
  // goes through the same generic execute() with one: the gateway's own decoders (lz4-napi,
  // zlib) and protobufjs read the answer.
  const $dara = require('@darabonba/typescript');
  const protobuf = require('protobufjs');
  const List = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto')).lookupType('sls.LogGroupList');
  for (const enc of ['lz4', 'deflate', 'gzip']) {
    let cursor = cur.body.cursor, logs = 0, seqs = new Set();
    for (let i = 0; i < 100; i++) {
      const req = new $OpenApiUtil.OpenApiRequest({ hostMap: { project: P }, headers: { 'Accept-Encoding': enc },
                                                    query: { count: '7', cursor } });
      const params = new $OpenApiUtil.Params({ action: 'PullLogs', version: '2020-12-30', protocol: 'HTTPS',
        pathname: `/logstores/${L}/shards/0?type=log`, method: 'GET', authType: 'AK', style: 'ROA',
        reqBodyType: 'none', bodyType: 'byte' });
      const res = await client.execute(params, req, new $dara.RuntimeOptions({}));
      if (res.headers['x-log-count'] === '0') break;
      const list = List.decode(res.body);
      for (const g of list.logGroupList) for (const l of g.Logs) {
        logs++;
        for (const c of l.Contents) if (c.Key === 'seq') seqs.add(c.Value);
      }
      cursor = res.headers['x-log-cursor'];
    }
    check(logs > 0 && seqs.size === logs, `[${sigver}] PullLogs ${enc}: ${logs} logs, ${seqs.size} distinct seq`);
  }
  const cg = 'sdk-cg-' + sigver;
  await client.createConsumerGroup(P, L, new Sls.CreateConsumerGroupRequest({ consumerGroup: cg, timeout: 30, order: false }));
  const list = await client.listConsumerGroup(P, L);
  check(list.body.some(g => g.name === cg && g.timeout === 30), `[${sigver}] ListConsumerGroup has ${cg}`);
  try {
    await client.createConsumerGroup(P, L, new Sls.CreateConsumerGroupRequest({ consumerGroup: cg, timeout: 30, order: false }));
    check(false, 'duplicate create must fail');
  } catch (e) { check(e.code === 'ConsumerGroupAlreadyExist', `[${sigver}] duplicate create -> ${e.code}`); }
  await client.updateConsumerGroup(P, L, cg, new Sls.UpdateConsumerGroupRequest({ timeout: 40, order: true }));
  const hb = await client.consumerGroupHeartBeat(P, L, cg, new Sls.ConsumerGroupHeartBeatRequest({ consumer: 'n1', body: [] }));
  check(JSON.stringify(hb.body) === '[0,1]', `[${sigver}] heartbeat -> ${JSON.stringify(hb.body)}`);
  await client.consumerGroupUpdateCheckPoint(P, L, cg, new Sls.ConsumerGroupUpdateCheckPointRequest({ consumer: 'n1', forceSuccess: true, shard: 0, checkpoint: cur.body.cursor }));
  const cps = await client.getCheckPoint(P, L, cg, new Sls.GetCheckPointRequest({ shard: 0 }));
  check(cps.body.length === 1 && cps.body[0].checkpoint === cur.body.cursor && cps.body[0].consumer === 'n1', `[${sigver}] GetCheckPoint ${JSON.stringify(cps.body)}`);
  try {
    await client.consumerGroupHeartBeat(P, L, cg, new Sls.ConsumerGroupHeartBeatRequest({ consumer: 'ghost', body: [1] }));
    check(false, 'ghost heartbeat must fail');
  } catch (e) { check(e.code === 'NotExistConsumerWithBody', `[${sigver}] ghost heartbeat -> ${e.code}`); }
  await client.deleteConsumerGroup(P, L, cg);
  const bad = new Sls.default(new $OpenApiUtil.Config({ accessKeyId: 'AK', accessKeySecret: 'WRONG', endpoint: `127.0.0.1:${port}`, protocol: 'http', regionId: 'cn-hangzhou', signatureVersion: sigver }));
  try { await bad.listShards(P, L); check(false, 'wrong secret must fail'); }
  catch (e) { check(e.code === 'SignatureNotMatch', `[${sigver}] wrong secret -> ${e.code}`); }
  console.log(failures ? `${failures} failed` : 'all passed');
  process.exit(failures ? 1 : 0);
})().catch(e => { console.log('FAILED', e.code, e.message, e.stack); process.exit(1); });
