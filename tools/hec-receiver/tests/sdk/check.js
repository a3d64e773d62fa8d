// Drives a running hec-receiver with four unmodified npm HEC clients: Splunk's own
// splunk-logging (and the winston and bunyan transports built on it) and splunk-events
// (fetch). Checks every answer, a refused token, and what the receiver recorded.
// usage: node check.js PORT OUT_FILE
'use strict';
const fs = require('fs');
const port = process.argv[2];
const outFile = process.argv[3];
const base = `http://127.0.0.1:${port}`;
const TOKEN = '11111111-2222-3333-4444-555555555555';
let passed = 0, failed = 0;
function check(cond, what) {
    if (cond) { passed++; } else { failed++; console.error('FAIL ' + what); }
}

function splunkLogging() {
    const SplunkLogger = require('splunk-logging').Logger;
    const logger = new SplunkLogger({token: TOKEN, url: base, maxBatchCount: 1});
    const sends = [];
    for (let i = 0; i < 3; i++) {
        sends.push(new Promise((resolve) => {
            logger.send({message: {lib: 'splunk-logging', n: i, text: 'héllo "quoted"'},
                         metadata: {source: 'sdk', sourcetype: '_json', host: 'h1', index: 'main'},
                         severity: 'info'},
                        (err, resp, body) => {
                            check(!err && resp.statusCode === 200 && body.code === 0,
                                  `splunk-logging send ${i}: ${err} ${JSON.stringify(body)}`);
                            resolve();
                        });
        }));
    }
    // Batched: three events in one POST, concatenated as the library does; the callback of
    // the send that fills the batch gets the answer.
    const batched = new SplunkLogger({token: TOKEN, url: base, maxBatchCount: 3});
    batched.send({message: 'batched 0'});
    batched.send({message: 'batched 1'});
    sends.push(new Promise((resolve) => {
        batched.send({message: 'batched 2'}, (err, resp, body) => {
            check(!err && resp.statusCode === 200 && body.code === 0,
                  `splunk-logging batch: ${err} ${JSON.stringify(body)}`);
            resolve();
        });
    }));
    // A refused token reaches the library's error handler with Splunk's body.
    const bad = new SplunkLogger({token: 'not-a-token', url: base});
    sends.push(new Promise((resolve) => {
        bad.error = (err, context) => {
            check(err && err.code === 4 && err.message === 'Invalid token',
                  `splunk-logging bad token: ${JSON.stringify(err)}`);
            resolve();
        };
        bad.send({message: 'refused'});
    }));
    return Promise.all(sends);
}

function winstonTransport() {
    const winston = require('winston');
    const SplunkStreamEvent = require('winston-splunk-httplogger');
    return new Promise((resolve) => {
        const transport = new SplunkStreamEvent({splunk: {token: TOKEN, url: base, index: 'main'}});
        let n = 0;
        transport.on('logged', () => { if (++n === 2) { resolve(); } });
        transport.on('error', (err) => { check(false, 'winston: ' + err); resolve(); });
        const logger = winston.createLogger({transports: [transport]});
        logger.info('winston one', {lib: 'winston'});
        logger.warn('winston two', {lib: 'winston'});
    });
}

function bunyanStream() {
    const bunyan = require('bunyan');
    const splunkBunyan = require('splunk-bunyan-logger');
    return new Promise((resolve) => {
        const raw = splunkBunyan.createStream({token: TOKEN, url: base, maxBatchCount: 1});
        raw.stream.on('error', (err) => { check(false, 'bunyan: ' + err); resolve(); });
        raw.stream.send = (err, resp, body) => { /* the library's after-send hook */
            check(!err && body && body.code === 0, `bunyan: ${err} ${JSON.stringify(body)}`);
            resolve();
        };
        const log = bunyan.createLogger({name: 'bunyan-check', streams: [raw]});
        log.info({lib: 'bunyan'}, 'bunyan one');
    });
}

async function splunkEvents() {
    const mod = require('splunk-events');
    const SplunkEvents = mod.default || mod;
    const events = new SplunkEvents({endpoint: base, token: TOKEN, autoFlush: false,
                                     source: 'splunk-events', host: 'browser'});
    events.logEvent('info', 'check', 'wf', 'wf-1', {lib: 'splunk-events', n: 1});
    events.logEvent('info', 'check', 'wf', 'wf-1', {lib: 'splunk-events', n: 2});
    try {
        await events.flush(events.flushStrategy.events);
        check(true, 'splunk-events flush');
    } catch (err) {
        check(false, 'splunk-events flush: ' + err);
    }
}

/* Each client gets 10 s; one that never calls back is a failure, not a hang. */
function within(promise, what) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => {
        check(false, what + ' timed out');
        resolve();
    }, 10000))]);
}

async function main() {
    await within(splunkLogging(), 'splunk-logging');
    await within(winstonTransport(), 'winston');
    await within(bunyanStream(), 'bunyan');
    await within(splunkEvents(), 'splunk-events');
    await new Promise((r) => setTimeout(r, 200));
    const stats = await (await fetch(`${base}/_receiver/stats`)).json();
    const lines = fs.readFileSync(outFile, 'utf8').split('\n').filter((l) => l).map(JSON.parse);
    const byLib = (lib) => lines.filter((e) => JSON.stringify(e.event).includes(lib)).length;
    check(byLib('splunk-logging') === 3, `3 splunk-logging events recorded (${byLib('splunk-logging')})`);
    check(byLib('batched') === 3, '3 batched events in one request');
    check(byLib('winston') === 2, `2 winston events recorded (${byLib('winston')})`);
    check(byLib('bunyan') === 1, `1 bunyan event recorded (${byLib('bunyan')})`);
    check(byLib('splunk-events') === 2, `2 splunk-events events recorded (${byLib('splunk-events')})`);
    const first = lines.find((e) => JSON.stringify(e.event).includes('splunk-logging'));
    check(first && typeof first.time === 'string' && /^\d+\.\d+$/.test(first.time) &&
          first.host === 'h1' && first.index === 'main', 'metadata and string time kept');
    check(stats.events.accepted === lines.length, 'stats agree with the record');
    check(stats.requests.event.by_code['4'] === 1, 'one refused token counted');
    console.log(`sdk check: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}
main();
