#!/usr/bin/python3
"""botocore, AWS's own Python SDK core, against `infercost emulate`'s AWS APIs on loopback.

Proves the wire formats (botocore parses every answer with its service models) and the SigV4
verifier (requests botocore signs are accepted; the same requests altered are rejected with the
error code AWS uses). Usage: aws_api_test.py INFERCOST_BINARY TESTDATA_DIR
"""
import base64
import datetime
import json
import math
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

import botocore.auth
import botocore.config
import botocore.session
from botocore.exceptions import ClientError

BINARY, TESTDATA = sys.argv[1], sys.argv[2]
KEY_ID, SECRET = 'AKIDEMULATOR00000000', 'emulator/secret/key/not/valid/anywhere00'
ROLE_ARN = 'arn:aws:iam::123456789012:role/infercost'
TIME_SCALE = 10
REPORT = re.compile(r'REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d\d) ms\t'
                    r'Billed Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t'
                    r'(?:Init Duration: (\d+\.\d\d) ms\t)?\n$')


class Emulator:
    """`infercost emulate` on 127.0.0.1:0; the port is read from its first line."""

    def __init__(self, *flags):
        self.process = subprocess.Popen(
            [BINARY, 'emulate', '--listen', '127.0.0.1:0', '--time-scale', str(TIME_SCALE),
             '--profiles', TESTDATA + '/aws-api-profiles.yaml',
             '--sagemaker-endpoint', 'mobilenet-v2=small', *flags],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        match = re.search(r'http://127\.0\.0\.1:(\d+)', line)
        if not match:
            self.process.kill()
            raise RuntimeError('no URL in: ' + line)
        self.url = 'http://127.0.0.1:' + match.group(1)
        self.clients = []

    def stop(self):
        for client in self.clients:
            client.close()
        self.process.terminate()
        self.process.communicate(timeout=30)

    def client(self, service, key_id=KEY_ID, secret=SECRET, token=None, region='us-east-1'):
        config = botocore.config.Config(retries={'total_max_attempts': 1}, read_timeout=60)
        client = botocore.session.get_session().create_client(
            service, region_name=region, endpoint_url=self.url, aws_access_key_id=key_id,
            aws_secret_access_key=secret, aws_session_token=token, config=config)
        self.clients.append(client)
        return client

    def get(self, path, headers=None, method='GET'):
        request = urllib.request.Request(self.url + path, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stats(self, kind, name):
        status, body = self.get('/_emulator/%s/%s' % (kind, name))
        assert status == 200, body
        return json.loads(body)


def error_code(call):
    try:
        call()
    except ClientError as error:
        return error.response['Error']['Code'], error.response['Error'].get('Message', '')
    raise AssertionError('the call succeeded')


def poll(condition, what, bound_s=20):
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.02)


class AwsApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def test_lambda_invoke_returns_the_report_line(self):
        client = self.emulator.client('lambda')
        bills = []
        for i, name in enumerate(
                ['report-fn', 'arn:aws:lambda:us-east-1:123456789012:function:report-fn']):
            answer = client.invoke(FunctionName=name, LogType='Tail', Payload=b'jpeg')
            self.assertEqual(answer['StatusCode'], 200)
            self.assertEqual(answer['ExecutedVersion'], '$LATEST')
            self.assertNotIn('FunctionError', answer)
            self.assertEqual(json.loads(answer['Payload'].read())['label'], 'tabby cat')
            tail = base64.b64decode(answer['LogResult']).decode()
            self.assertTrue(tail.startswith('START RequestId: '), tail)
            report = REPORT.search(tail)
            self.assertIsNotNone(report, tail)
            request_id, duration, billed, memory, memory_used, init = report.groups()
            self.assertEqual((memory, memory_used), ('2048', '250'))
            self.assertEqual(request_id, answer['ResponseMetadata']['RequestId'])
            # The first call starts the function (Init Duration), the second finds it warm.
            self.assertEqual(init is not None, i == 0, tail)
            self.assertGreater(float(duration), 0)
            run_ms = float(duration) + (float(init) if init else 0)
            self.assertLessEqual(abs(int(billed) - math.ceil(run_ms)), 1, tail)
            bills.append(int(billed))
        stats = self.emulator.stats('functions', 'report-fn')
        self.assertEqual((stats['invocations'], stats['cold_starts']), (2, 1))
        self.assertEqual(stats['billed_ms'], sum(bills))
        answer = client.invoke(FunctionName='report-fn', Qualifier='3')
        self.assertEqual(answer['ExecutedVersion'], '3')

    def test_lambda_function_errors_throttles_and_unknown_functions(self):
        client = self.emulator.client('lambda')
        answer = client.invoke(FunctionName='failing-fn', LogType='Tail')
        self.assertEqual((answer['StatusCode'], answer['FunctionError']), (200, 'Unhandled'))
        self.assertEqual(json.loads(answer['Payload'].read())['errorType'], 'RuntimeError')
        self.assertIsNotNone(REPORT.search(base64.b64decode(answer['LogResult']).decode()))
        self.assertEqual(self.emulator.stats('functions', 'failing-fn')['injected_errors'], 1)
        code, message = error_code(lambda: client.invoke(FunctionName='nope'))
        self.assertEqual(code, 'ResourceNotFoundException')
        self.assertIn('function:nope', message)

        # busy-fn holds its only instance for 3 s of wall time; a second call meanwhile is
        # throttled.
        first = threading.Thread(target=lambda: client.invoke(FunctionName='busy-fn'))
        first.start()
        poll(lambda: self.emulator.stats('functions', 'busy-fn')['in_flight'] == 1, 'busy-fn')
        try:
            client.invoke(FunctionName='busy-fn')
            self.fail('not throttled')
        except ClientError as error:
            self.assertEqual(error.response['Error']['Code'], 'TooManyRequestsException')
            self.assertEqual(error.response['ResponseMetadata']['HTTPStatusCode'], 429)
            self.assertEqual(error.response['Reason'],
                             'ReservedFunctionConcurrentInvocationLimitExceeded')
        first.join(timeout=60)
        self.assertEqual(self.emulator.stats('functions', 'busy-fn')['throttled'], 1)

    def test_sagemaker_invoke_endpoint(self):
        client = self.emulator.client('sagemaker-runtime')
        answer = client.invoke_endpoint(EndpointName='mobilenet-v2', Body=b'jpeg',
                                        ContentType='application/x-image',
                                        Accept='application/json')
        self.assertEqual(answer['ContentType'], 'application/json')
        self.assertEqual(answer['InvokedProductionVariant'], 'AllTraffic')
        self.assertEqual(json.loads(answer['Body'].read())['class_id'], 281)
        self.assertEqual(self.emulator.stats('endpoints', 'mobilenet-v2')['ok'], 1)
        code, message = error_code(
            lambda: client.invoke_endpoint(EndpointName='nope', Body=b'jpeg'))
        self.assertEqual(code, 'ValidationError')
        self.assertIn('Endpoint nope of account', message)

    def test_sts_issues_keys_the_verifier_accepts(self):
        sts = self.emulator.client('sts')
        answer = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName='bench')
        credentials = answer['Credentials']
        self.assertTrue(credentials['AccessKeyId'].startswith('ASIA'))
        self.assertEqual(answer['AssumedRoleUser']['Arn'],
                         'arn:aws:sts::123456789012:assumed-role/infercost/bench')
        # 3600 emulated seconds at time scale 10.
        lifetime = credentials['Expiration'] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(300 <= lifetime.total_seconds() + 1 <= 361, lifetime)
        client = self.emulator.client('lambda', credentials['AccessKeyId'],
                                      credentials['SecretAccessKey'], credentials['SessionToken'])
        self.assertEqual(client.invoke(FunctionName='fn')['StatusCode'], 200)
        code, _ = error_code(lambda: self.emulator.client(
            'lambda', credentials['AccessKeyId'], credentials['SecretAccessKey'],
            'another token').invoke(FunctionName='fn'))
        self.assertEqual(code, 'UnrecognizedClientException')

        web = self.emulator.client('sts').assume_role_with_web_identity(
            RoleArn=ROLE_ARN, RoleSessionName='pod', WebIdentityToken='eyJhbGciOiJSUzI1NiJ9.e30.x')
        self.assertTrue(web['Credentials']['AccessKeyId'].startswith('ASIA'))
        self.assertEqual(web['Audience'], 'sts.amazonaws.com')
        sagemaker = self.emulator.client('sagemaker-runtime', web['Credentials']['AccessKeyId'],
                                         web['Credentials']['SecretAccessKey'],
                                         web['Credentials']['SessionToken'])
        self.assertEqual(sagemaker.invoke_endpoint(EndpointName='mobilenet-v2',
                                                   Body=b'x')['InvokedProductionVariant'],
                         'AllTraffic')

    def test_altered_requests_are_rejected_as_aws_does(self):
        e = self.emulator
        invoke = lambda client: lambda: client.invoke(FunctionName='fn', Payload=b'{"a":1}')
        endpoint = lambda client: lambda: client.invoke_endpoint(EndpointName='mobilenet-v2',
                                                                 Body=b'jpeg')
        assume = lambda client: lambda: client.assume_role(RoleArn=ROLE_ARN, RoleSessionName='ss')
        cases = [
            ('wrong secret', invoke(e.client('lambda', secret='x' * 40)),
             'InvalidSignatureException', 'does not match the signature you provided'),
            ('unknown key', invoke(e.client('lambda', key_id='AKIDUNKNOWN000000000')),
             'UnrecognizedClientException', 'security token included in the request is invalid'),
            ('wrong region', invoke(e.client('lambda', region='eu-west-1')),
             'InvalidSignatureException', 'Credential should be scoped to a valid region'),
            ('wrong secret', endpoint(e.client('sagemaker-runtime', secret='x' * 40)),
             'InvalidSignatureException', 'does not match'),
            ('unknown key', endpoint(e.client('sagemaker-runtime', key_id='AKIDUNKNOWN0')),
             'UnrecognizedClientException', 'is invalid'),
            ('wrong secret', assume(e.client('sts', secret='x' * 40)), 'SignatureDoesNotMatch',
             'does not match'),
            ('unknown key', assume(e.client('sts', key_id='AKIDUNKNOWN0')),
             'InvalidClientTokenId', 'is invalid'),
            ('wrong region', assume(e.client('sts', region='eu-west-1')), 'SignatureDoesNotMatch',
             'valid region'),
        ]
        for what, call, code, message in cases:
            with self.subTest(what=what, code=code):
                got_code, got_message = error_code(call)
                self.assertEqual(got_code, code)
                self.assertIn(message, got_message)

        tampered = e.client('lambda')

        def tamper(request, **_):
            request.body = request.body.replace(b'"a":1', b'"a":2')
        tampered.meta.events.register('before-send.lambda.Invoke', tamper)
        self.assertEqual(error_code(invoke(tampered))[0], 'InvalidSignatureException')

        real_datetime = botocore.auth.datetime.datetime

        class SixMinutesAgo(real_datetime):
            @classmethod
            def utcnow(cls):
                return real_datetime.utcnow() - datetime.timedelta(minutes=6)
        botocore.auth.datetime.datetime = SixMinutesAgo
        try:
            code, message = error_code(invoke(e.client('lambda')))
        finally:
            botocore.auth.datetime.datetime = real_datetime
        self.assertEqual(code, 'InvalidSignatureException')
        self.assertTrue(message.startswith('Signature expired: '), message)

    def test_imds_and_container_credentials(self):
        e = self.emulator
        self.assertEqual(e.get('/latest/api/token', method='PUT')[0], 400)
        self.assertEqual(e.get('/latest/meta-data/iam/security-credentials/')[0], 401)
        status, token = e.get('/latest/api/token', method='PUT',
                              headers={'X-aws-ec2-metadata-token-ttl-seconds': '60'})
        self.assertEqual(status, 200)
        self.assertEqual(e.get('/latest/meta-data/iam/security-credentials/',
                               headers={'X-aws-ec2-metadata-token': 'wrong'})[0], 401)
        self.assertEqual(e.get('/latest/meta-data/iam/security-credentials/',
                               headers={'X-aws-ec2-metadata-token': token}),
                         (200, 'infercost-emulator'))
        status, body = e.get('/latest/meta-data/iam/security-credentials/infercost-emulator',
                             headers={'X-aws-ec2-metadata-token': token})
        self.assertEqual(status, 200)
        document = json.loads(body)
        self.assertEqual((document['Code'], document['Type']), ('Success', 'AWS-HMAC'))
        self.assertEqual(set(document), {'Code', 'LastUpdated', 'Type', 'AccessKeyId',
                                         'SecretAccessKey', 'Token', 'Expiration'})
        # botocore's own IMDSv2 client reads the same.
        fetched = botocore.utils.InstanceMetadataFetcher(
            timeout=5, num_attempts=1, base_url=e.url + '/').retrieve_iam_role_credentials()
        self.assertEqual(fetched['role_name'], 'infercost-emulator')
        client = e.client('lambda', fetched['access_key'], fetched['secret_key'], fetched['token'])
        self.assertEqual(client.invoke(FunctionName='fn')['StatusCode'], 200)

        status, body = e.get('/v2/credentials/task-1')
        self.assertEqual(status, 200)
        self.assertEqual(set(json.loads(body)),
                         {'RoleArn', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'})
        self.assertEqual(e.get('/v1/credentials')[0], 401)
        self.assertEqual(e.get('/v1/credentials', headers={'Authorization': 'wrong'})[0], 403)
        fetched = botocore.utils.ContainerMetadataFetcher().retrieve_full_uri(
            e.url + '/v1/credentials', headers={'Authorization': 'emulator-container-token'})
        sts = e.client('sts', fetched['AccessKeyId'], fetched['SecretAccessKey'],
                       fetched['Token'])
        self.assertTrue(sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName='ecs')
                        ['Credentials']['AccessKeyId'].startswith('ASIA'))


class ExpiryTest(unittest.TestCase):
    def test_issued_keys_expire(self):
        # 20 emulated seconds at time scale 10: the keys live at most 2 wall seconds.
        emulator = Emulator('--credential-lifetime', '20')
        try:
            credentials = emulator.client('sts').assume_role(
                RoleArn=ROLE_ARN, RoleSessionName='short')['Credentials']
            lifetime = credentials['Expiration'] - datetime.datetime.now(datetime.timezone.utc)
            self.assertLessEqual(lifetime.total_seconds(), 2.5)
            poll(lambda: datetime.datetime.now(datetime.timezone.utc) >
                 credentials['Expiration'] + datetime.timedelta(milliseconds=100), 'expiry', 10)
            lam = emulator.client('lambda', credentials['AccessKeyId'],
                                  credentials['SecretAccessKey'], credentials['SessionToken'])
            self.assertEqual(error_code(lambda: lam.invoke(FunctionName='fn'))[0],
                             'ExpiredTokenException')
            sts = emulator.client('sts', credentials['AccessKeyId'],
                                  credentials['SecretAccessKey'], credentials['SessionToken'])
            self.assertEqual(error_code(lambda: sts.assume_role(
                RoleArn=ROLE_ARN, RoleSessionName='again'))[0], 'ExpiredToken')
        finally:
            emulator.stop()


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
