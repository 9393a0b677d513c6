// Drives LocalOss with the official Alibaba Cloud OSS Node SDK (ali-oss) and prints one JSON document:
// { "node": "...", "aliOss": "...", "cases": [ { "name": "...", "ok": true|false, "detail": "..." } ] }.
// NodeSdkInteropTests starts LocalOss, runs this script and asserts on every case by name.
//
// Environment: LOCALOSS_ENDPOINT (http://127.0.0.1:PORT), LOCALOSS_BUCKET, LOCALOSS_ACCESS_KEY_ID,
// LOCALOSS_ACCESS_KEY_SECRET, LOCALOSS_STS_ACCESS_KEY_ID, LOCALOSS_STS_ACCESS_KEY_SECRET, LOCALOSS_STS_TOKEN,
// LOCALOSS_ISSUED (JSON: valid, expired and revoked credentials from LocalOss's STS issuer, each
// { accessKeyId, accessKeySecret, securityToken }).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import OSS from 'ali-oss';

const require = createRequire(import.meta.url);
const aliOssVersion = require('ali-oss/package.json').version;

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const endpoint = env('LOCALOSS_ENDPOINT').replace(/\/$/, '');
const bucket = env('LOCALOSS_BUCKET');
const accessKeyId = env('LOCALOSS_ACCESS_KEY_ID');
const accessKeySecret = env('LOCALOSS_ACCESS_KEY_SECRET');
const port = new URL(endpoint).port;

// PITFALLS 24-25: V4 needs authorizationV4 and region 'oss-<region>'; sldEnable puts the bucket in the path.
const base = { region: 'oss-cn-hangzhou', bucket, endpoint, sldEnable: true, timeout: 30000 };
const v4 = new OSS({ ...base, accessKeyId, accessKeySecret, authorizationV4: true });
const v1 = new OSS({ ...base, accessKeyId, accessKeySecret, authorizationV4: false });

// Keys that trip encoders: spaces, '+', '%', '~', '()!', quotes and sub-delimiters, Unicode, nested directories.
const keys = {
  'space': 'dir with space/file name.txt',
  'plus': 'plus+sign/a+b.bin',
  'percent': 'percent/100% done %20 not-a-space.txt',
  'tilde': 'tilde/~user~file.txt',
  'parens-bang': 'marks/(copy) 1!.txt',
  'unicode': '报告 2024/ä+b~c%20d(1)!.txt',
  'nested': 'a/b/c/d/e/deep.json',
  'quote-semicolon': "q/it's;x=1&y=2.txt",
};

const cases = [];

async function check(name, body) {
  try {
    const detail = await body();
    cases.push({ name, ok: true, detail: detail ?? '' });
  } catch (error) {
    cases.push({ name, ok: false, detail: `${error?.name ?? 'Error'}: ${error?.message ?? error}` });
  }
}

function assert(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const contentFor = (key) => Buffer.from(`LocalOss interop payload for ${key}\n${'x'.repeat(key.length * 7)}\u{1F600}\n`, 'utf8');
const md5Hex = (buffer) => createHash('md5').update(buffer).digest('hex').toUpperCase();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs an SDK call that must fail and returns the OSS error code ali-oss parsed from the XML.
async function expectSdkError(call, status, code) {
  try {
    await call();
  } catch (error) {
    assert(error.status === status && error.code === code, `expected ${status} ${code}, got ${error.status} ${error.code}: ${error.message}`);
    return `${error.status} ${error.code}`;
  }
  throw new Error(`expected ${status} ${code}, but the call succeeded`);
}

// Fetches a URL that must fail and returns the <Code> of the XML error body.
async function expectFetchError(url, status, code) {
  const response = await fetch(url);
  const text = await response.text();
  const found = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  assert(response.status === status && found === code, `expected ${status} ${code}, got ${response.status} ${found}: ${text.slice(0, 300)}`);
  return `${response.status} ${found}`;
}

async function roundTrip(client, key) {
  const content = contentFor(key);
  await client.put(key, content);
  const got = await client.get(key);
  assert(got.res.status === 200, `get status ${got.res.status}`);
  assert(Buffer.compare(got.content, content) === 0, 'get returned different bytes');
  const head = await client.head(key);
  assert(head.status === 200, `head status ${head.status}`);
  assert(Number(head.res.headers['content-length']) === content.length, `head content-length ${head.res.headers['content-length']}`);
  assert(head.res.headers.etag === `"${md5Hex(content)}"`, `head etag ${head.res.headers.etag}`);
  return `${content.length} bytes, etag ${head.res.headers.etag}`;
}

const tamper = (url, parameter) =>
  url.replace(new RegExp(`([?&]${parameter}=)([^&]+)`), (_, prefix, value) => prefix + (value[0] === 'A' ? 'B' : 'A') + value.slice(1));

for (const [label, key] of Object.entries(keys)) {
  await check(`v4 put/get/head ${label}`, () => roundTrip(v4, key));
}

await check('v4 content-type given at put is returned', async () => {
  await v4.put('ct/readme.bin', Buffer.from('# title\n'), { headers: { 'Content-Type': 'text/markdown' } });
  const head = await v4.head('ct/readme.bin');
  assert(head.res.headers['content-type'] === 'text/markdown', `content-type ${head.res.headers['content-type']}`);
  return head.res.headers['content-type'];
});

await check('v4 range get returns 206', async () => {
  const key = keys.unicode;
  const content = contentFor(key);
  const got = await v4.get(key, { headers: { Range: 'bytes=2-9' } });
  assert(got.res.status === 206, `status ${got.res.status}`);
  assert(Buffer.compare(got.content, content.subarray(2, 10)) === 0, 'range returned different bytes');
  return got.res.headers['content-range'];
});

await check('v4 putStream (chunked) round trip', async () => {
  const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i));
  const expected = Buffer.concat(chunks);
  await v4.putStream('stream/chunked.bin', Readable.from(chunks));
  const got = await v4.get('stream/chunked.bin');
  assert(Buffer.compare(got.content, expected) === 0, 'chunked upload came back different');
  return `${expected.length} bytes`;
});

await check('v4 head of a missing key is NoSuchKey', () => expectSdkError(() => v4.head('missing/key.txt'), 404, 'NoSuchKey'));

await check('v4 get of a missing key is NoSuchKey', () => expectSdkError(() => v4.get('missing/key.txt'), 404, 'NoSuchKey'));

await check('v4 delete removes the object', async () => {
  await v4.put('delete/me.txt', Buffer.from('bye'));
  const deleted = await v4.delete('delete/me.txt');
  assert(deleted.res.status === 204, `delete status ${deleted.res.status}`);
  return expectSdkError(() => v4.get('delete/me.txt'), 404, 'NoSuchKey');
});

await check('v4 without sldEnable (bucket only in Host) round trip', async () => {
  const client = new OSS({ ...base, sldEnable: false, accessKeyId, accessKeySecret, authorizationV4: true });
  return roundTrip(client, 'no-sld/' + keys.unicode);
});

await check('v4 putBucket creates a usable bucket', async () => {
  const created = 'interop-created-bucket';
  await v4.putBucket(created);
  const client = new OSS({ ...base, bucket: created, accessKeyId, accessKeySecret, authorizationV4: true });
  return roundTrip(client, keys.space);
});

await check('v4 sts token round trip', async () => {
  const client = new OSS({
    ...base,
    accessKeyId: env('LOCALOSS_STS_ACCESS_KEY_ID'),
    accessKeySecret: env('LOCALOSS_STS_ACCESS_KEY_SECRET'),
    stsToken: env('LOCALOSS_STS_TOKEN'),
    authorizationV4: true,
  });
  return roundTrip(client, 'sts/' + keys.plus);
});

for (const label of ['unicode', 'space', 'parens-bang']) {
  await check(`v4 signatureUrlV4 download ${label}`, async () => {
    const key = keys[label];
    const url = await v4.signatureUrlV4('GET', 600, undefined, key);
    const response = await fetch(url);
    const body = Buffer.from(await response.arrayBuffer());
    assert(response.status === 200, `status ${response.status}: ${body.toString().slice(0, 300)}`);
    assert(Buffer.compare(body, contentFor(key)) === 0, 'presigned download returned different bytes');
    return `${body.length} bytes`;
  });
}

await check('v4 tampered presigned url is SignatureDoesNotMatch', async () => {
  const url = await v4.signatureUrlV4('GET', 600, undefined, keys.space);
  return expectFetchError(tamper(url, 'x-oss-signature'), 403, 'SignatureDoesNotMatch');
});

await check('v4 wrong secret is SignatureDoesNotMatch', () => {
  const client = new OSS({ ...base, accessKeyId, accessKeySecret: accessKeySecret + 'x', authorizationV4: true });
  return expectSdkError(() => client.get(keys.space), 403, 'SignatureDoesNotMatch');
});

await check('v4 unknown access key is InvalidAccessKeyId', () => {
  const client = new OSS({ ...base, accessKeyId: 'LTAI5tUnknownKeyId000', accessKeySecret, authorizationV4: true });
  return expectSdkError(() => client.get(keys.space), 403, 'InvalidAccessKeyId');
});

await check('v4 clock an hour behind is RequestTimeTooSkewed', () => {
  const client = new OSS({ ...base, accessKeyId, accessKeySecret, authorizationV4: true, amendTimeSkewed: -3600 * 1000 });
  return expectSdkError(() => client.get(keys.space), 403, 'RequestTimeTooSkewed');
});

for (const label of ['space', 'plus', 'unicode', 'parens-bang', 'quote-semicolon']) {
  await check(`v1 put/get/head ${label}`, () => roundTrip(v1, 'v1/' + keys[label]));
}

// ali-oss refuses to sign V1 URLs for an IP endpoint: sign for localhost and send to 127.0.0.1 (V1 does not sign the host).
const v1Localhost = new OSS({ ...base, endpoint: `http://localhost:${port}`, accessKeyId, accessKeySecret, authorizationV4: false });
const toLoopback = (url) => url.replace(`//localhost:${port}/`, `//127.0.0.1:${port}/`);

for (const label of ['unicode', 'space']) {
  await check(`v1 signatureUrl download ${label}`, async () => {
    const key = 'v1/' + keys[label];
    const response = await fetch(toLoopback(v1Localhost.signatureUrl(key, { expires: 600 })));
    const body = Buffer.from(await response.arrayBuffer());
    assert(response.status === 200, `status ${response.status}: ${body.toString().slice(0, 300)}`);
    assert(Buffer.compare(body, contentFor(key)) === 0, 'presigned download returned different bytes');
    return `${body.length} bytes`;
  });
}

await check('v1 tampered signatureUrl is SignatureDoesNotMatch', () =>
  expectFetchError(tamper(toLoopback(v1Localhost.signatureUrl('v1/' + keys.space, { expires: 600 })), 'Signature'), 403, 'SignatureDoesNotMatch'));

await check('v1 unknown access key is InvalidAccessKeyId', () => {
  const client = new OSS({ ...base, accessKeyId: 'LTAI5tUnknownKeyId000', accessKeySecret, authorizationV4: false });
  return expectSdkError(() => client.get('v1/' + keys.space), 403, 'InvalidAccessKeyId');
});

// Versioning, in a bucket of its own so the cases above keep an unversioned one.
const versionedBucket = 'interop-versioned';
const versioned = new OSS({ ...base, bucket: versionedBucket, accessKeyId, accessKeySecret, authorizationV4: true });
const versionedV1Localhost = new OSS({ ...base, bucket: versionedBucket, endpoint: `http://localhost:${port}`, accessKeyId, accessKeySecret, authorizationV4: false });
const versionKey = 'versions/' + keys.unicode;
const versions = {};
const versionIdPattern = /^[A-Za-z0-9_-]{64}$/;

await check('v4 getBucketVersioning of a bucket that never had it has no status', async () => {
  const got = await v4.getBucketVersioning(bucket);
  assert(got.versionStatus === undefined, `versionStatus ${got.versionStatus}`);
  return 'no Status';
});

await check('v4 putBucketVersioning enables versioning', async () => {
  await v4.putBucket(versionedBucket);
  await v4.putBucketVersioning(versionedBucket, 'Enabled');
  const got = await v4.getBucketVersioning(versionedBucket);
  assert(got.versionStatus === 'Enabled', `versionStatus ${got.versionStatus}`);
  return got.versionStatus;
});

await check('v4 versioned puts return distinct x-oss-version-id', async () => {
  const first = await versioned.put(versionKey, Buffer.from('first version'));
  const second = await versioned.put(versionKey, Buffer.from('second version, longer'));
  versions.first = first.res.headers['x-oss-version-id'];
  versions.second = second.res.headers['x-oss-version-id'];
  assert(versionIdPattern.test(versions.first) && versionIdPattern.test(versions.second), `ids ${versions.first} ${versions.second}`);
  assert(versions.first !== versions.second, 'both puts got the same version id');
  return `${versions.first.slice(0, 12)}..., ${versions.second.slice(0, 12)}...`;
});

await check('v4 get and head by versionId serve that version', async () => {
  const latest = await versioned.get(versionKey);
  assert(latest.content.toString() === 'second version, longer', `latest ${latest.content}`);
  const old = await versioned.get(versionKey, { versionId: versions.first });
  assert(old.content.toString() === 'first version', `by id ${old.content}`);
  assert(old.res.headers['x-oss-version-id'] === versions.first, `header ${old.res.headers['x-oss-version-id']}`);
  const head = await versioned.head(versionKey, { versionId: versions.first });
  assert(Number(head.res.headers['content-length']) === 13, `head content-length ${head.res.headers['content-length']}`);
  return `${old.content.length} bytes`;
});

await check('v4 get of an unknown versionId is NoSuchVersion', () =>
  expectSdkError(() => versioned.get(versionKey, { versionId: 'CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ1' }), 404, 'NoSuchVersion'));

await check('v4 signatureUrlV4 with versionId serves that version', async () => {
  const url = await versioned.signatureUrlV4('GET', 600, { queries: { versionId: versions.first } }, versionKey);
  const response = await fetch(url);
  const body = await response.text();
  assert(response.status === 200 && body === 'first version', `status ${response.status}: ${body.slice(0, 300)}`);
  return body;
});

await check('v1 signatureUrl with versionId serves that version', async () => {
  const url = toLoopback(versionedV1Localhost.signatureUrl(versionKey, { expires: 600, subResource: { versionId: versions.first } }));
  const response = await fetch(url);
  const body = await response.text();
  assert(response.status === 200 && body === 'first version', `status ${response.status}: ${body.slice(0, 300)}`);
  return body;
});

await check('v4 delete without versionId adds a delete marker', async () => {
  const deleted = await versioned.delete(versionKey);
  assert(deleted.res.headers['x-oss-delete-marker'] === 'true', `x-oss-delete-marker ${deleted.res.headers['x-oss-delete-marker']}`);
  versions.marker = deleted.res.headers['x-oss-version-id'];
  assert(versionIdPattern.test(versions.marker), `marker id ${versions.marker}`);
  await expectSdkError(() => versioned.get(versionKey), 404, 'NoSuchKey');
  const kept = await versioned.get(versionKey, { versionId: versions.second });
  assert(kept.content.toString() === 'second version, longer', `kept ${kept.content}`);
  return `marker ${versions.marker.slice(0, 12)}...`;
});

await check('v4 delete with versionId removes that version for good', async () => {
  await versioned.delete(versionKey, { versionId: versions.marker });
  const restored = await versioned.get(versionKey);
  assert(restored.content.toString() === 'second version, longer', `after removing the marker ${restored.content}`);
  await versioned.delete(versionKey, { versionId: versions.second });
  const previous = await versioned.get(versionKey);
  assert(previous.content.toString() === 'first version', `after removing the second version ${previous.content}`);
  return expectSdkError(() => versioned.get(versionKey, { versionId: versions.second }), 404, 'NoSuchVersion');
});

// x-oss-traffic-limit: LocalOss paces the body, so a capped download takes at least 80 % of size * 8 / limit.
const throttledKey = 'throttled/100k.bin';
const throttledContent = Buffer.alloc(100 * 1024, 7);
const trafficLimit = 819200;
await v4.put(throttledKey, throttledContent);

async function timedDownload(download) {
  const start = performance.now();
  const body = await download();
  const seconds = (performance.now() - start) / 1000;
  const ideal = (throttledContent.length * 8) / trafficLimit;
  assert(Buffer.compare(body, throttledContent) === 0, 'the capped download returned different bytes');
  assert(seconds >= ideal * 0.8, `took ${seconds.toFixed(2)} s; a ${trafficLimit} bit/s cap allows no less than ${(ideal * 0.8).toFixed(2)} s`);
  return `${seconds.toFixed(2)} s (ideal ${ideal.toFixed(2)} s)`;
}

async function fetchBody(url) {
  const response = await fetch(url);
  const body = Buffer.from(await response.arrayBuffer());
  assert(response.status === 200, `status ${response.status}: ${body.toString().slice(0, 300)}`);
  return body;
}

await check('v4 get with an x-oss-traffic-limit header is paced', () =>
  timedDownload(async () => (await v4.get(throttledKey, { headers: { 'x-oss-traffic-limit': String(trafficLimit) } })).content));

await check('v4 signatureUrlV4 with x-oss-traffic-limit is paced', async () => {
  const url = await v4.signatureUrlV4('GET', 600, { queries: { 'x-oss-traffic-limit': trafficLimit } }, throttledKey);
  return timedDownload(() => fetchBody(url));
});

await check('v1 signatureUrl with trafficLimit is paced', () =>
  timedDownload(() => fetchBody(toLoopback(v1Localhost.signatureUrl(throttledKey, { expires: 600, trafficLimit })))));

await check('v4 signatureUrlV4 with an out-of-range x-oss-traffic-limit is InvalidArgument', async () => {
  const url = await v4.signatureUrlV4('GET', 600, { queries: { 'x-oss-traffic-limit': 100 } }, throttledKey);
  return expectFetchError(url, 400, 'InvalidArgument');
});

// x-oss-ac-source-ip: fetch connects from 127.0.0.1.
const sourceBound = (sourceIp, mask) => v4.signatureUrlV4('GET', 600, { queries: { 'x-oss-ac-source-ip': sourceIp, 'x-oss-ac-subnet-mask': mask } }, keys.space);

await check('v4 signatureUrlV4 bound to 127.0.0.1 is served', async () => {
  const body = await fetchBody(await sourceBound('127.0.0.1', '32'));
  assert(Buffer.compare(body, contentFor(keys.space)) === 0, 'the bound download returned different bytes');
  return `${body.length} bytes`;
});

await check('v4 signatureUrlV4 bound to 10.9.8.7 is AccessDenied', async () => expectFetchError(await sourceBound('10.9.8.7', '32'), 403, 'AccessDenied'));

await check('v4 signatureUrlV4 with a /8 subnet mask admits 127.0.0.1', async () => {
  const body = await fetchBody(await sourceBound('127.1.2.3', '8'));
  return `${body.length} bytes`;
});

const v1SourceBound = (sourceIp) =>
  toLoopback(v1Localhost.signatureUrl('v1/' + keys.space, { expires: 600, subResource: { 'x-oss-ac-source-ip': sourceIp, 'x-oss-ac-subnet-mask': '32' } }));

await check('v1 signatureUrl bound to 127.0.0.1 is served', async () => {
  const body = await fetchBody(v1SourceBound('127.0.0.1'));
  return `${body.length} bytes`;
});

await check('v1 signatureUrl bound to 10.9.8.7 is AccessDenied', () => expectFetchError(v1SourceBound('10.9.8.7'), 403, 'AccessDenied'));

// Temporary credentials minted by the LocalStsIssuer LocalOss was started with (real-looking STS.* keys whose
// tokens hold '+', '/' and '='): every signing form with stsToken, then the refusals OSS gives for them.
const issued = JSON.parse(env('LOCALOSS_ISSUED'));
const issuedClient = (credentials, options) => new OSS({
  ...base,
  ...options,
  accessKeyId: credentials.accessKeyId,
  accessKeySecret: credentials.accessKeySecret,
  stsToken: credentials.securityToken,
});

await check('v4 issued sts credentials round trip', () => roundTrip(issuedClient(issued.valid, { authorizationV4: true }), 'issued/' + keys.unicode));

await check('v1 issued sts credentials round trip', () => roundTrip(issuedClient(issued.valid, { authorizationV4: false }), 'issued/v1/' + keys.space));

await check('v4 signatureUrlV4 with issued sts credentials', async () => {
  const url = await issuedClient(issued.valid, { authorizationV4: true }).signatureUrlV4('GET', 600, undefined, keys.space);
  assert(url.includes('x-oss-security-token='), 'the presigned url carries no x-oss-security-token');
  const body = await fetchBody(url);
  assert(Buffer.compare(body, contentFor(keys.space)) === 0, 'presigned download returned different bytes');
  return `${body.length} bytes`;
});

await check('v1 signatureUrl with issued sts credentials', async () => {
  const client = issuedClient(issued.valid, { endpoint: `http://localhost:${port}`, authorizationV4: false });
  const url = toLoopback(client.signatureUrl('v1/' + keys.space, { expires: 600 }));
  assert(url.includes('security-token='), 'the signed url carries no security-token');
  const body = await fetchBody(url);
  assert(Buffer.compare(body, contentFor('v1/' + keys.space)) === 0, 'signed download returned different bytes');
  return `${body.length} bytes`;
});

await check('v4 expired issued sts credentials are SecurityTokenExpired', () =>
  expectSdkError(() => issuedClient(issued.expired, { authorizationV4: true }).get(keys.space), 403, 'SecurityTokenExpired'));

await check('v4 revoked issued sts credentials are InvalidSecurityToken', () =>
  expectSdkError(() => issuedClient(issued.revoked, { authorizationV4: true }).get(keys.space), 403, 'InvalidSecurityToken'));

await check('v4 issued sts key without its token is InvalidAccessKeyId', () => {
  const client = new OSS({ ...base, accessKeyId: issued.valid.accessKeyId, accessKeySecret: issued.valid.accessKeySecret, authorizationV4: true });
  return expectSdkError(() => client.get(keys.space), 403, 'InvalidAccessKeyId');
});

// Both SDK presigners take the current time: sign for one second, then let it pass.
const expiredV4 = await v4.signatureUrlV4('GET', 1, undefined, keys.space);
const expiredV1 = toLoopback(v1Localhost.signatureUrl('v1/' + keys.space, { expires: 1 }));
await sleep(2500);
await check('v4 expired presigned url is AccessDenied', () => expectFetchError(expiredV4, 403, 'AccessDenied'));
await check('v1 expired signatureUrl is AccessDenied', () => expectFetchError(expiredV1, 403, 'AccessDenied'));

process.stdout.write(JSON.stringify({ node: process.version, aliOss: aliOssVersion, cases }) + '\n');
