#!/usr/bin/python3
"""`infercost tune` against `infercost emulate`'s Lambda API on loopback.

The best size per strategy is worked out here from the emulated function's parameters (its
profile in testdata/), each size's cost per 1M from REPORT lines read here through botocore, and
every ending of a run (done, SIGINT, SIGTERM, a failed update, the spend limit, a crash) is
checked by reading the function's configuration back through botocore.
Usage: tune_test.py INFERCOST_BINARY TESTDATA_DIR
"""
import base64
import csv
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import botocore.config
import botocore.session
from botocore.exceptions import ClientError

BINARY, TESTDATA = sys.argv[1], sys.argv[2]
KEY_ID, SECRET = 'AKIDEMULATOR00000000', 'emulator/secret/key/not/valid/anywhere00'
TIME_SCALE = 20
FUNCTION = 'tune-fn'
# The profile's parameters (testdata/tune-profiles.yaml) and Lambda's x86_64 prices (DESIGN.md).
BASE_MS, BASE_MB, CPU_FRACTION, THREADS = 600, 1024, 0.85, 2
REQUEST_USD, GB_SECOND_USD = 0.20e-6, 0.0000166667
SIZES = [512, 1024, 2048, 3008, 4096, 6144]
REPORT = re.compile(r'Billed Duration: (\d+) ms\tMemory Size: (\d+) MB')


def vcpus(memory_mb):
    return min(memory_mb / 1769, 6)


def billed_ms(memory_mb):
    """The emulator's model: the CPU part scales with the vCPUs the threads can use."""
    factor = (1 - CPU_FRACTION) + CPU_FRACTION * min(vcpus(BASE_MB), THREADS) / min(
        vcpus(memory_mb), THREADS)
    return math.ceil(math.trunc(BASE_MS * 1e6 * factor) / 1e6)


def usd_per_invocation(memory_mb, billed):
    return REQUEST_USD + GB_SECOND_USD * memory_mb / 1024 * billed / 1000


class Emulator:
    def __init__(self, *flags):
        self.process = subprocess.Popen(
            [BINARY, 'emulate', '--listen', '127.0.0.1:0', '--time-scale', str(TIME_SCALE),
             '--profiles', os.path.join(TESTDATA, 'tune-profiles.yaml'), *flags],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        match = re.search(r'http://127\.0\.0\.1:(\d+)', self.process.stdout.readline())
        assert match, 'the emulator did not start'
        self.url = 'http://127.0.0.1:' + match.group(1)
        config = botocore.config.Config(retries={'total_max_attempts': 1})
        self.lam = botocore.session.get_session().create_client(
            'lambda', region_name='us-east-1', endpoint_url=self.url, aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET, config=config)

    def stop(self):
        self.lam.close()
        self.process.terminate()
        self.process.communicate(timeout=30)

    def memory(self):
        config = self.lam.get_function_configuration(FunctionName=FUNCTION)
        return config['MemorySize'], config['LastUpdateStatus']

    def version_exists(self, version):
        try:
            self.lam.get_function_configuration(FunctionName=FUNCTION, Qualifier=str(version))
            return True
        except ClientError as error:
            assert error.response['Error']['Code'] == 'ResourceNotFoundException', error
            return False

    def wait_successful(self):
        deadline = time.monotonic() + 30
        while self.memory()[1] != 'Successful':
            assert time.monotonic() < deadline, 'the update did not finish'
            time.sleep(0.02)


class TuneRun:
    def __init__(self, emulator, directory, *flags, max_spend='1'):
        self.out = os.path.join(directory, 'out')
        config = os.path.join(directory, 'tune.yaml')
        with open(config, 'w') as f:
            f.write('targets:\n'
                    '  - name: fn\n    kind: lambda\n    function: %s\n    endpoint_url: %s\n'
                    '    timeout: 29s\n    pricing: { model: lambda, memory_mb: 1024 }\n'
                    '  - name: t4g-medium\n    url: http://127.0.0.1:9/predict\n'
                    '    pricing: { model: instance, instance_type: t4g.medium, count: 1 }\n'
                    % (FUNCTION, emulator.url))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_EC2_METADATA_DISABLED='true', AWS_REGION='us-east-1')
        env.pop('AWS_PROFILE', None)
        self.process = subprocess.Popen(
            [BINARY, 'tune', '--config', config, '--target', 'fn', '--out', self.out,
             '--max-spend', max_spend, *flags],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines = []

    def wait_for(self, text):
        for line in self.process.stdout:
            self.lines.append(line)
            if text in line:
                return
        raise AssertionError('never printed %r:\n%s' % (text, ''.join(self.lines)))

    def finish(self):
        out, _ = self.process.communicate(timeout=120)
        self.lines.append(out)
        return self.process.returncode, ''.join(self.lines)

    def results(self):
        with open(os.path.join(self.out, 'results.csv')) as f:
            return {int(row['memory_mb']): row for row in csv.DictReader(f)}


class EmulatorTestCase(unittest.TestCase):
    """A fresh emulator and directory per test (tune_axes_test.py's tests use it too)."""
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.emulator = Emulator()

    def tearDown(self):
        self.emulator.stop()
        shutil.rmtree(self.directory)


class TuneTest(EmulatorTestCase):

    def assert_restored(self, versions=range(1, 10)):
        self.emulator.wait_successful()
        self.assertEqual(self.emulator.memory(), (1024, 'Successful'))
        for version in versions:
            self.assertFalse(self.emulator.version_exists(version), version)
        self.assertFalse(os.path.exists(os.path.join(self.directory, 'out', 'tune.state')))

    def test_best_sizes_and_bills_follow_from_the_model(self):
        sizes = ','.join(map(str, SIZES))
        run = TuneRun(self.emulator, self.directory, '--memory', sizes, '--invocations', '12',
                      '--concurrency', '3', '--strategy', 'cost', '--traffic', '5')
        code, output = run.finish()
        self.assertEqual(code, 0, output)
        self.assert_restored()
        results = run.results()
        self.assertEqual(sorted(results), SIZES)
        # The optimum from the parameters: cost per invocation, and the fastest size (a tie
        # past the threads' vCPUs goes to the cheaper size).
        cost = {m: usd_per_invocation(m, billed_ms(m)) for m in SIZES}
        cheapest = min(SIZES, key=lambda m: cost[m])
        fastest = min(SIZES, key=lambda m: (billed_ms(m), cost[m]))
        with open(os.path.join(run.out, 'report.md')) as f:
            report = f.read()
        self.assertIn('`cost`: **%d MB**' % cheapest, report)
        self.assertIn('`speed`: **%d MB**' % fastest, report)
        self.assertIn('**Run the function at %d MB** (strategy cost)' % cheapest, report)
        self.assertIn('Against the configured 1024 MB', report)
        for memory in SIZES:
            row = results[memory]
            # Every measured invocation ran at the size it is reported under.
            self.assertEqual((row['measured'], row['failed']), ('12', '0'), row)
            self.assertEqual(float(row['p50_billed_ms']), billed_ms(memory))
        # Each size's cost per 1M, billed here by hand from REPORT lines read through botocore.
        for memory in SIZES:
            self.emulator.lam.update_function_configuration(FunctionName=FUNCTION,
                                                            MemorySize=memory)
            self.emulator.wait_successful()
            version = self.emulator.lam.publish_version(FunctionName=FUNCTION)['Version']
            bills = []
            for _ in range(3):
                answer = self.emulator.lam.invoke(FunctionName=FUNCTION, Qualifier=version,
                                                  LogType='Tail')
                self.assertEqual(answer['ExecutedVersion'], version)
                billed, size = REPORT.search(
                    base64.b64decode(answer['LogResult']).decode()).groups()
                self.assertEqual(int(size), memory)
                bills.append(int(billed))
            warm = bills[-1]  # the first may be cold (its init is billed, not measured by tune)
            self.assertEqual(warm, billed_ms(memory))
            by_hand = 0.20 + 1e6 * GB_SECOND_USD * (memory / 1024) * (warm / 1000)
            self.assertAlmostEqual(float(results[memory]['usd_per_million']), by_hand, places=5)
        for name in ('index.html', 'power_tuning.svg', 'monthly_cost.svg'):
            self.assertTrue(os.path.getsize(os.path.join(run.out, name)) > 0, name)

    def stop_mid_run(self, send):
        run = TuneRun(self.emulator, self.directory, '--memory', '2048,3008', '--invocations',
                      '100000', '--concurrency', '2', '--yes')
        run.wait_for('2048 MB: version')
        # The function is now at 2,048 MB and being invoked.
        self.assertEqual(self.emulator.memory()[0], 2048)
        send(run.process)
        code, output = run.finish()
        self.assertIn('restoring 1024 MB', output)
        self.assert_restored()
        return code, output

    def test_sigint_mid_run_restores(self):
        code, output = self.stop_mid_run(lambda p: p.send_signal(signal.SIGINT))
        self.assertEqual(code, 0, output)

    def test_sigterm_mid_run_restores(self):
        code, output = self.stop_mid_run(lambda p: p.send_signal(signal.SIGTERM))
        self.assertEqual(code, 0, output)

    def test_spend_limit_stops_and_restores(self):
        # About $0.0000117 per invocation at 2,048 MB: the limit is reached within a few.
        run = TuneRun(self.emulator, self.directory, '--memory', '2048,3008', '--invocations',
                      '1000', '--yes', max_spend='0.0001')
        code, output = run.finish()
        self.assertEqual(code, 1, output)
        self.assertIn('spend limit reached', output)
        self.assert_restored()

    def test_estimate_above_max_spend_refuses_before_any_call(self):
        run = TuneRun(self.emulator, self.directory, '--memory', '2048', '--invocations', '1000',
                      max_spend='0.0001')
        code, output = run.finish()
        self.assertEqual(code, 2, output)
        self.assertIn('refusing to start', output)
        self.assertEqual(self.emulator.memory(), (1024, 'Successful'))

    def test_crash_leaves_a_state_file_to_restore_from(self):
        run = TuneRun(self.emulator, self.directory, '--memory', '2048', '--invocations',
                      '100000', '--yes')
        run.wait_for('2048 MB: version')
        run.process.kill()
        run.finish()
        self.emulator.wait_successful()
        self.assertEqual(self.emulator.memory()[0], 2048)
        again = TuneRun(self.emulator, self.directory, '--memory', '2048')
        code, output = again.finish()
        self.assertEqual(code, 2, output)
        self.assertIn('run again with --restore', output)
        restore = TuneRun(self.emulator, self.directory, '--restore')
        code, output = restore.finish()
        self.assertEqual(code, 0, output)
        self.assert_restored()


class FailedUpdateTest(unittest.TestCase):
    def test_a_failed_update_restores(self):
        directory = tempfile.mkdtemp()
        emulator = Emulator('--lambda-max-memory-mb', '3008')
        try:
            run = TuneRun(emulator, directory, '--memory', '2048,4096', '--invocations', '4')
            code, output = run.finish()
            self.assertEqual(code, 1, output)
            self.assertIn('4096 MB: UpdateFunctionConfiguration: InvalidParameterValueException',
                          output)
            emulator.wait_successful()
            self.assertEqual(emulator.memory(), (1024, 'Successful'))
            self.assertFalse(emulator.version_exists(1))
            self.assertEqual(sorted(run.results()), [2048])
        finally:
            emulator.stop()
            shutil.rmtree(directory)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
