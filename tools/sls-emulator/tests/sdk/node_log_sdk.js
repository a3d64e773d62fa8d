// Drives sls-emulator with the official Node.js SDK (@alicloud/log), unmodified.
const Client = require('@alicloud/log');
const port = process.argv[2];
const lookup = (host, opts, cb) => {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  if (opts && opts.all) return cb(null, [{ address: '127.0.0.1', family: 4 }]);
  cb(null, '127.0.0.1', 4);
};
const http = require('http');
const options = { agent: new http.Agent({ keepAlive: true, lookup }), timeout: 10000 };
(async () => {
  const client = new Client({ accessKeyId: 'AK', accessKeySecret: 'SK', endpoint: `127.0.0.1:${port}` });
  console.log('listLogStore', JSON.stringify(await client.listLogStore('nodetest', {}, options)));
  console.log('getLogStore', JSON.stringify(await client.getLogStore('nodetest', 'ls1', options)));
  const r = await client.postLogStoreLogs('nodetest', 'ls1', {
    topic: 'node', source: '10.1.1.1',
    logs: [{ timestamp: Math.floor(Date.now() / 1000), content: { msg: 'hello 世界', level: 'INFO' } },
           { timestamp: Math.floor(Date.now() / 1000), timestampNsPart: 123, content: { msg: 'second' } }],
    tags: [{ tagkey: 'tagvalue' }],
  }, options);
  console.log('postLogStoreLogs ok', JSON.stringify(r));
  const bad = new Client({ accessKeyId: 'AK', accessKeySecret: 'WRONG', endpoint: `127.0.0.1:${port}` });
  try { await bad.listLogStore('nodetest', {}, options); console.log('UNEXPECTED success'); }
  catch (e) { console.log('wrong secret ->', e.code, e.requestid ? 'requestid ok' : 'no requestid'); }
  try { await client.getLogStore('nodetest', 'nosuch', options); } catch (e) { console.log('unknown logstore ->', e.code); }
})().catch(e => { console.log('FAILED', e.code, e.message); process.exit(1); });
