import { describe, expect, it } from 'vitest';
import { canonicalQuery, SigV4Signer } from '../../lib/datamover/storage/sigv4.js';

// The worked example of AWS's Signature Version 4 documentation for S3 ("GET Object" with a Range header).
const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 signing', () => {
  it('reproduces the signature of AWS\'s documented GetObject example', () => {
    const signer = new SigV4Signer('us-east-1', EXAMPLE_CREDENTIALS);
    const headers = signer.sign(
      { method: 'GET', path: '/test.txt', query: {}, headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256 } },
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('reproduces the documented ListObjects example, whose query must be sorted and escaped', () => {
    const signer = new SigV4Signer('us-east-1', EXAMPLE_CREDENTIALS);
    const headers = signer.sign(
      { method: 'GET', path: '/', query: { 'max-keys': '2', prefix: 'J' }, headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256 } },
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toMatch(/Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
    expect(canonicalQuery({ prefix: 'a b/ü', 'list-type': '2', versions: '' })).toBe('list-type=2&prefix=a%20b%2F%C3%BC&versions=');
  });

  it('adds the session token of temporary credentials and signs it', () => {
    const signer = new SigV4Signer('eu-west-1', { ...EXAMPLE_CREDENTIALS, sessionToken: 'token/with+chars' });
    const headers = signer.sign({ method: 'PUT', path: '/b/k', query: {}, headers: { host: 'h' } }, new Date('2026-11-22T06:00:00Z'));
    expect(headers['x-amz-security-token']).toBe('token/with+chars');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(headers.authorization).toContain('/20261122/eu-west-1/s3/aws4_request');
  });
});
