#!/usr/bin/python3
"""botocore, AWS's own Python SDK core, against `infercost emulate`'s AWS APIs on loopback.

Proves the wire formats (botocore parses every answer with its service models) and the SigV4
verifier (requests botocore signs are accepted; the same requests altered are rejected with the
error code AWS uses). Usage: aws_api_test.py INFERCOST_BINARY TESTDATA_DIR
"""
import base64
import contextlib
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
import botocore.awsrequest
import botocore.config
import botocore.credentials
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
             '--sagemaker-endpoint', 'mobilenet-v2=small', '--function-url-auth', 'open-fn=none',
             *flags],
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

    def function_url(self, function, path='/predict', body=b'jpeg', sign=True, key_id=KEY_ID,
                     secret=SECRET, service='lambda', alter=None):
        """A call to a Function URL, signed by botocore's SigV4Auth when `sign`; `alter` changes
        the signed request before it goes. Returns (status, headers, body)."""
        request = botocore.awsrequest.AWSRequest(
            method='POST', url='%s/lambda-url/%s%s' % (self.url, function, path), data=body,
            headers={'Content-Type': 'application/json'})
        if sign:
            credentials = botocore.credentials.Credentials(key_id, secret)
            botocore.auth.SigV4Auth(credentials, service, 'us-east-1').add_auth(request)
        prepared = request.prepare()
        if alter:
            alter(prepared)
        sent = urllib.request.Request(prepared.url, data=prepared.body,
                                      headers=dict(prepared.headers.items()), method='POST')
        try:
            with urllib.request.urlopen(sent, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

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


@contextlib.contextmanager
def signing_clock_off_by(delta):
    """botocore signs with its clock moved by `delta` (a timedelta)."""
    real_datetime = botocore.auth.datetime.datetime

    class Shifted(real_datetime):
        @classmethod
        def utcnow(cls):
            return real_datetime.utcnow() + delta
    botocore.auth.datetime.datetime = Shifted
    try:
        yield
    finally:
        botocore.auth.datetime.datetime = real_datetime


def jwt(claims):
    """An unsigned-looking but well-formed JWT carrying `claims`."""
    part = lambda data: base64.urlsafe_b64encode(data).rstrip(b'=').decode()
    return '.'.join([part(b'{"alg":"RS256","kid":"emulator"}'),
                     part(json.dumps(claims).encode()), part(b'signature')])


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
        # Only published versions run; the executed one comes back.
        code, message = error_code(lambda: client.invoke(FunctionName='report-fn', Qualifier='3'))
        self.assertEqual((code, message), ('ResourceNotFoundException', 'Function not found: '
                         'arn:aws:lambda:us-east-1:123456789012:function:report-fn:3'))
        version = client.publish_version(FunctionName='report-fn')['Version']
        answer = client.invoke(FunctionName='report-fn', Qualifier=version)
        self.assertEqual(answer['ExecutedVersion'], version)

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

    def test_lambda_configuration_versions_and_memory(self):
        client = self.emulator.client('lambda')

        def duration_at(qualifier):
            answer = client.invoke(FunctionName='config-fn', Qualifier=qualifier, LogType='Tail')
            self.assertEqual(answer['ExecutedVersion'], qualifier)
            report = REPORT.search(base64.b64decode(answer['LogResult']).decode())
            return float(report.group(2)), int(report.group(4))

        config = client.get_function_configuration(FunctionName='config-fn')
        self.assertEqual((config['MemorySize'], config['LastUpdateStatus'], config['Version']),
                         (1024, 'Successful', '$LATEST'))
        # 600 ms at 1,024 MB: 85 % of it speeds up with the vCPU share (memory / 1,769 MB, the
        # model's two threads at most), 15 % does not.
        self.assertEqual(duration_at('$LATEST'), (600.0, 1024))
        updated = client.update_function_configuration(FunctionName='config-fn', MemorySize=2048)
        self.assertEqual((updated['MemorySize'], updated['LastUpdateStatus']), (2048, 'InProgress'))
        # While it is in progress, another update or a publish is refused as AWS refuses it.
        for call in (lambda: client.update_function_configuration(FunctionName='config-fn',
                                                                   MemorySize=512),
                     lambda: client.publish_version(FunctionName='config-fn')):
            code, message = error_code(call)
            self.assertEqual(code, 'ResourceConflictException')
            self.assertIn('An update is in progress for resource: arn:aws:lambda:us-east-1:'
                          '123456789012:function:config-fn', message)
        poll(lambda: client.get_function_configuration(FunctionName='config-fn')
             ['LastUpdateStatus'] == 'Successful', 'the update')
        version = client.publish_version(FunctionName='config-fn')
        self.assertEqual((version['MemorySize'], version['FunctionArn']),
                         (2048, 'arn:aws:lambda:us-east-1:123456789012:function:config-fn:'
                          + version['Version']))
        expected = 600 * (0.15 + 0.85 * (1024 / 1769) / (2048 / 1769))
        duration, memory = duration_at(version['Version'])
        self.assertEqual(memory, 2048)
        self.assertAlmostEqual(duration, expected, delta=0.01)
        # The published version keeps its size when $LATEST moves on; past two threads' worth of
        # vCPUs (3,538 MB) more memory buys nothing.
        client.update_function_configuration(FunctionName='config-fn', MemorySize=8192)
        poll(lambda: client.get_function_configuration(FunctionName='config-fn')
             ['LastUpdateStatus'] == 'Successful', 'the second update')
        self.assertEqual(duration_at(version['Version']), (round(expected, 2), 2048))
        self.assertAlmostEqual(duration_at('$LATEST')[0], 600 * (0.15 + 0.85 * (1024 / 1769) / 2),
                               delta=0.01)
        self.assertEqual(client.get_function_configuration(
            FunctionName='config-fn', Qualifier=version['Version'])['MemorySize'], 2048)
        # Versions are deleted one by one; $LATEST cannot be.
        client.delete_function(FunctionName='config-fn', Qualifier=version['Version'])
        for call in (lambda: client.delete_function(FunctionName='config-fn',
                                                    Qualifier=version['Version']),
                     lambda: client.get_function_configuration(FunctionName='config-fn',
                                                               Qualifier=version['Version']),
                     lambda: client.invoke(FunctionName='config-fn', Qualifier=version['Version'])):
            self.assertEqual(error_code(call)[0], 'ResourceNotFoundException')
        self.assertEqual(error_code(lambda: client.delete_function(
            FunctionName='config-fn', Qualifier='$LATEST'))[0], 'InvalidParameterValueException')
        self.assertEqual(error_code(lambda: client.get_function_configuration(
            FunctionName='nope'))[0], 'ResourceNotFoundException')
        # Lambda's own range, checked before the account's ceiling (botocore checks it too, so
        # this client skips its own check to let the emulator answer).
        unchecked = botocore.session.get_session().create_client(
            'lambda', region_name='us-east-1', endpoint_url=self.emulator.url,
            aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
            config=botocore.config.Config(parameter_validation=False,
                                          retries={'total_max_attempts': 1}))
        self.emulator.clients.append(unchecked)
        code, message = error_code(lambda: unchecked.update_function_configuration(
            FunctionName='config-fn', MemorySize=64))
        self.assertEqual(code, 'ValidationException')
        self.assertIn('greater than or equal to 128', message)
        client.update_function_configuration(FunctionName='config-fn', MemorySize=1024)
        poll(lambda: client.get_function_configuration(FunctionName='config-fn')
             ['LastUpdateStatus'] == 'Successful', 'the restore')

    def test_lambda_architectures_and_provisioned_concurrency(self):
        client = self.emulator.client('lambda')
        self.assertEqual(client.get_function_configuration(FunctionName='config-fn')
                         ['Architectures'], ['x86_64'])
        self.assertEqual(client.get_function_configuration(FunctionName='arm-fn')
                         ['Architectures'], ['arm64'])
        # Lambda refuses provisioned concurrency on $LATEST and on versions it does not have.
        code, message = error_code(lambda: client.put_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier='$LATEST', ProvisionedConcurrentExecutions=1))
        self.assertEqual(code, 'InvalidParameterValueException')
        self.assertIn('unpublished function versions', message)
        self.assertEqual(error_code(lambda: client.put_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier='7', ProvisionedConcurrentExecutions=1))[0],
            'ResourceNotFoundException')
        version = client.publish_version(FunctionName='arm-fn')['Version']
        self.assertEqual(error_code(lambda: client.get_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier=version))[0],
            'ProvisionedConcurrencyConfigNotFoundException')
        self.assertEqual(error_code(lambda: client.delete_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier=version))[0], 'ResourceNotFoundException')
        put = client.put_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier=version, ProvisionedConcurrentExecutions=2)
        self.assertEqual((put['ResponseMetadata']['HTTPStatusCode'], put['Status'],
                          put['RequestedProvisionedConcurrentExecutions'],
                          put['AvailableProvisionedConcurrentExecutions']),
                         (202, 'IN_PROGRESS', 2, 0))
        poll(lambda: client.get_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier=version)['Status'] == 'READY', 'READY')
        ready = client.get_provisioned_concurrency_config(FunctionName='arm-fn',
                                                          Qualifier=version)
        self.assertEqual((ready['AllocatedProvisionedConcurrentExecutions'],
                          ready['AvailableProvisionedConcurrentExecutions']), (2, 2))
        # READY environments are initialised: no cold start, no Init Duration.
        for _ in range(2):
            answer = client.invoke(FunctionName='arm-fn', Qualifier=version, LogType='Tail')
            self.assertNotIn('Init Duration', base64.b64decode(answer['LogResult']).decode())
        client.delete_provisioned_concurrency_config(FunctionName='arm-fn', Qualifier=version)
        self.assertEqual(error_code(lambda: client.get_provisioned_concurrency_config(
            FunctionName='arm-fn', Qualifier=version))[0],
            'ProvisionedConcurrencyConfigNotFoundException')
        # Without it the version's next call starts cold again.
        answer = client.invoke(FunctionName='arm-fn', Qualifier=version, LogType='Tail')
        self.assertIn('Init Duration', base64.b64decode(answer['LogResult']).decode())
        client.delete_function(FunctionName='arm-fn', Qualifier=version)

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
            RoleArn=ROLE_ARN, RoleSessionName='pod',
            WebIdentityToken=jwt({'sub': 'system:serviceaccount:default:infercost',
                                  'exp': int(time.time()) + 3600}))
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

        with signing_clock_off_by(datetime.timedelta(minutes=-6)):
            code, message = error_code(invoke(e.client('lambda')))
        self.assertEqual(code, 'InvalidSignatureException')
        self.assertTrue(message.startswith('Signature expired: '), message)

    def test_web_identity_tokens_must_be_live_jwts(self):
        sts = self.emulator.client('sts')
        assume = lambda token: lambda: sts.assume_role_with_web_identity(
            RoleArn=ROLE_ARN, RoleSessionName='pod', WebIdentityToken=token)
        for token in ['not-a-jwt', 'a.bc', jwt({})[:-1] + '.x', 'e30.bm90IGpzb24.c2ln']:
            with self.subTest(token=token):
                code, message = error_code(assume(token))
                self.assertEqual(code, 'InvalidIdentityToken')
                self.assertIn('not a valid JWT', message)
        code, message = error_code(assume(jwt({'exp': int(time.time()) - 60})))
        self.assertEqual(code, 'ExpiredTokenException')
        self.assertTrue(message.startswith('Token expired: current date/time '), message)
        self.assertNotIn('eyJ', message)  # the token itself is never echoed

    def test_event_and_dry_run_invocations(self):
        client = self.emulator.client('lambda')
        answer = client.invoke(FunctionName='event-fn', InvocationType='DryRun')
        self.assertEqual(answer['StatusCode'], 204)
        self.assertEqual(self.emulator.stats('functions', 'event-fn')['invocations'], 0)
        answer = client.invoke(FunctionName='event-fn', InvocationType='Event', Payload=b'jpeg')
        self.assertEqual(answer['StatusCode'], 202)
        self.assertEqual(answer['Payload'].read(), b'')
        self.assertNotIn('LogResult', answer)
        self.assertEqual(self.emulator.stats('functions', 'event-fn')['invocations'], 1)
        # It runs in the background: a cold start, then it counts as served.
        poll(lambda: self.emulator.stats('functions', 'event-fn')['ok'] == 1, 'the event run')
        self.assertEqual(self.emulator.stats('functions', 'event-fn')['cold_starts'], 1)
        code, message = error_code(lambda: client.invoke(FunctionName='event-fn',
                                                         InvocationType='Later'))
        self.assertEqual(code, 'ValidationException')
        self.assertIn("Value 'Later' at 'invocationType'", message)
        code, _ = error_code(lambda: client.invoke(FunctionName='nope', InvocationType='Event'))
        self.assertEqual(code, 'ResourceNotFoundException')

    def test_function_url_signed_by_botocore(self):
        e = self.emulator
        status, headers, body = e.function_url('url-fn', '/any/path?x=1')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)['label'], 'tabby cat')
        self.assertEqual(headers['Content-Type'], 'application/json')
        self.assertRegex(headers['x-amzn-RequestId'], r'^[0-9a-f-]{36}$')
        # AWS tells a Function URL caller nothing about billing or cold starts.
        for name in ['X-Amz-Log-Result', 'X-Billed-Duration-Ms', 'X-Cold-Start',
                     'X-Amz-Executed-Version']:
            self.assertNotIn(name, headers)
        self.assertEqual(e.function_url('url-fn', '')[0], 200)
        stats = e.stats('functions', 'url-fn')
        self.assertEqual((stats['invocations'], stats['ok'], stats['cold_starts']), (2, 2, 1))

        def tamper(request):
            request.body = b'jpeG'  # the same length: Content-Length is signed

        def skewed(minutes):
            with signing_clock_off_by(datetime.timedelta(minutes=minutes)):
                return e.function_url('url-fn')
        cases = [
            ('unsigned', e.function_url('url-fn', sign=False), 'AccessDeniedException',
             'Forbidden. For troubleshooting Function URL authorization issues'),
            ('wrong secret', e.function_url('url-fn', secret='x' * 40),
             'InvalidSignatureException', 'does not match the signature you provided'),
            ('unknown key', e.function_url('url-fn', key_id='AKIDUNKNOWN000000000'),
             'UnrecognizedClientException', 'security token included in the request is invalid'),
            ('wrong service', e.function_url('url-fn', service='execute-api'),
             'InvalidSignatureException', 'Credential should be scoped to correct service'),
            ('tampered body', e.function_url('url-fn', alter=tamper),
             'InvalidSignatureException', 'does not match'),
            ('clock 6 min behind', skewed(-6), 'InvalidSignatureException', 'Signature expired: '),
            ('clock 6 min ahead', skewed(6), 'InvalidSignatureException',
             'Signature not yet current: '),
        ]
        for what, (status, headers, body), code, message in cases:
            with self.subTest(what=what):
                self.assertEqual(status, 403, body)
                self.assertEqual(headers['x-amzn-ErrorType'], code)
                self.assertIn(message, body)
        self.assertEqual(e.stats('functions', 'url-fn')['invocations'], 2)

        status, _, body = e.function_url('open-fn', sign=False)
        self.assertEqual((status, json.loads(body)['class_id']), (200, 281))
        self.assertEqual(e.stats('functions', 'open-fn')['ok'], 1)
        self.assertEqual(e.function_url('nope')[0], 404)

    def test_function_url_shares_the_functions_concurrency_with_invoke(self):
        # busy-url-fn's only instance is held by an Invoke call; its URL is then throttled.
        e = self.emulator
        first = threading.Thread(
            target=lambda: e.client('lambda').invoke(FunctionName='busy-url-fn'))
        first.start()
        poll(lambda: e.stats('functions', 'busy-url-fn')['in_flight'] == 1, 'busy-url-fn')
        status, headers, body = e.function_url('busy-url-fn')
        first.join(timeout=60)
        self.assertEqual(status, 429, body)
        self.assertEqual(headers['x-amzn-ErrorType'], 'TooManyRequestsException')
        self.assertEqual(json.loads(body)['message'], 'Rate Exceeded.')
        stats = e.stats('functions', 'busy-url-fn')
        self.assertEqual((stats['invocations'], stats['throttled'], stats['ok']), (2, 1, 1))

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


class MemoryCeilingTest(unittest.TestCase):
    def test_an_account_capped_at_3008_mb_refuses_more(self):
        emulator = Emulator('--lambda-max-memory-mb', '3008')
        try:
            client = emulator.client('lambda')
            code, message = error_code(lambda: client.update_function_configuration(
                FunctionName='config-fn', MemorySize=4096))
            self.assertEqual((code, message), (
                'InvalidParameterValueException', "'MemorySize' value failed to satisfy "
                'constraint: Member must have value less than or equal to 3008'))
            self.assertEqual(client.get_function_configuration(FunctionName='config-fn')
                             ['MemorySize'], 1024)
        finally:
            emulator.stop()


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
