#!/usr/bin/python3
"""`infercost tune --compare-function` and `--provisioned-concurrency` against the emulator.

The best run per strategy across the two architectures is worked out here from the emulated
functions' parameters (testdata/tune-profiles.yaml) and the catalog's prices per architecture;
every measured invocation is checked against the emulator's own count per function; both
functions, and every provisioned-concurrency config, are read back through botocore after every
ending; a provisioned run's bill is worked out by hand.
Usage: tune_axes_test.py INFERCOST_BINARY TESTDATA_DIR
"""
import json
import os
import signal
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tune_test  # noqa: E402  (the emulator and run helpers; reads sys.argv the same way)
from tune_test import Emulator, TuneRun  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ARM = 'tune-fn-arm64'
# Per function: (duration at 1,024 MB, cpu_fraction, architecture); testdata/tune-profiles.yaml.
MODEL = {'tune-fn': (600, 0.85, 'x86_64'), ARM: (553.6, 0.8374, 'arm64')}
# The catalog's prices (exporter/cost/data/prices.yaml): on-demand GB-s, provisioned
# concurrency GB-s, and the duration GB-s with provisioned concurrency.
PRICES = {'x86_64': (0.0000166667, 0.0000041667, 0.0000097222),
          'arm64': (0.0000133334, 0.0000033334, 0.0000077778)}
REQUEST_USD = 0.20e-6
SIZES = [512, 1024, 2048, 3008, 4096]


def billed_ms(function, memory_mb):
    base, cpu, _ = MODEL[function]
    factor = (1 - cpu) + cpu * min(tune_test.vcpus(1024), 2) / min(tune_test.vcpus(memory_mb), 2)
    return tune_test.math.ceil(tune_test.math.trunc(base * 1e6 * factor) / 1e6)


def cost(function, memory_mb):
    gb_second = PRICES[MODEL[function][2]][0]
    return REQUEST_USD + gb_second * memory_mb / 1024 * billed_ms(function, memory_mb) / 1000


def rows(run):
    with open(os.path.join(run.out, 'results.csv')) as f:
        return {(r['function'], int(r['memory_mb']), int(r['provisioned'])): r
                for r in tune_test.csv.DictReader(f)}


class AxesTest(tune_test.EmulatorTestCase):
    def requests(self, function):
        with urllib.request.urlopen(self.emulator.url + '/_emulator/functions/' + function) as r:
            return json.loads(r.read())['invocations']

    def assert_restored(self, function, versions=range(1, 12)):
        lam = self.emulator.lam
        deadline = tune_test.time.monotonic() + 30
        while lam.get_function_configuration(FunctionName=function)['LastUpdateStatus'] != \
                'Successful':
            self.assertLess(tune_test.time.monotonic(), deadline)
            tune_test.time.sleep(0.02)
        config = lam.get_function_configuration(FunctionName=function)
        self.assertEqual(config['MemorySize'], 1024, function)
        for version in versions:
            for call in (lambda: lam.get_function_configuration(FunctionName=function,
                                                                Qualifier=str(version)),
                         lambda: lam.get_provisioned_concurrency_config(
                             FunctionName=function, Qualifier=str(version))):
                with self.assertRaises(ClientError) as caught:
                    call()
                self.assertIn(caught.exception.response['Error']['Code'],
                              ('ResourceNotFoundException',
                               'ProvisionedConcurrencyConfigNotFoundException'))
        self.assertFalse(os.path.exists(os.path.join(self.directory, 'out', 'tune.state')))

    def test_best_run_across_architectures_follows_from_the_model(self):
        run = TuneRun(self.emulator, self.directory, '--memory', ','.join(map(str, SIZES)),
                      '--invocations', '6', '--concurrency', '2', '--strategy', 'cost',
                      '--compare-function', ARM)
        code, output = run.finish()
        self.assertEqual(code, 0, output)
        for function in MODEL:
            self.assert_restored(function)
        found = rows(run)
        runs = [(f, m) for f in MODEL for m in SIZES]
        self.assertEqual(sorted(found), sorted((f, m, 0) for f, m in runs))
        for function, memory in runs:
            row = found[(function, memory, 0)]
            # The architecture is GetFunctionConfiguration's, the price that architecture's.
            self.assertEqual(row['architecture'], MODEL[function][2])
            self.assertEqual((row['measured'], row['failed']), ('6', '0'), row)
            self.assertEqual(float(row['p50_billed_ms']), billed_ms(function, memory))
            self.assertAlmostEqual(float(row['usd_per_million']), cost(function, memory) * 1e6,
                                   places=5)
        # Every invocation tune made reached the function it reports it under: the emulator's
        # own count per function is the measured runs plus one warm-up per client and size.
        for function in MODEL:
            self.assertEqual(self.requests(function), len(SIZES) * (6 + 2), function)
        cheapest = min(runs, key=lambda r: cost(*r))
        fastest = min(runs, key=lambda r: (billed_ms(*r), cost(*r)))
        with open(os.path.join(run.out, 'report.md')) as f:
            report = f.read()
        label = lambda r: '%d MB %s**' % (r[1], MODEL[r[0]][2])  # noqa: E731
        self.assertIn('`cost`: **' + label(cheapest), report)
        self.assertIn('`speed`: **' + label(fastest), report)
        self.assertIn('**Run %s at %d MB %s** (strategy cost)' % (cheapest[0], cheapest[1],
                                                                 MODEL[cheapest[0]][2]), report)

    def test_failed_update_restores_both(self):
        self.emulator.stop()
        self.emulator = Emulator('--lambda-max-memory-mb', '3008')
        run = TuneRun(self.emulator, self.directory, '--memory', '2048,4096', '--invocations',
                      '2', '--compare-function', ARM)
        code, output = run.finish()
        self.assertEqual(code, 1, output)
        self.assertIn('tune-fn at 4096 MB: UpdateFunctionConfiguration', output)
        for function in MODEL:
            self.assert_restored(function)

    def stop_while_provisioned(self, send):
        run = TuneRun(self.emulator, self.directory, '--memory', '2048', '--duration', '2s',
                      '--concurrency', '2', '--compare-function', ARM,
                      '--provisioned-concurrency', '2', '--traffic', '5', '--yes')
        # Stopped during the first function's provisioned run: its config READY, the second
        # function not yet touched.
        run.wait_for('tune-fn at 2048 MB provisioned: version')
        config = self.emulator.lam.get_provisioned_concurrency_config(FunctionName='tune-fn',
                                                                      Qualifier='1')
        self.assertEqual((config['Status'], config['AllocatedProvisionedConcurrentExecutions']),
                         ('READY', 2))
        self.assertEqual(self.emulator.lam.get_function_configuration(
            FunctionName='tune-fn')['MemorySize'], 2048)
        send(run.process)
        code, output = run.finish()
        self.assertEqual(code, 0, output)
        for function in MODEL:
            self.assert_restored(function)

    def test_sigterm_while_provisioned_removes_it_and_restores_both(self):
        self.stop_while_provisioned(lambda p: p.send_signal(signal.SIGTERM))

    def test_sigint_while_provisioned_removes_it_and_restores_both(self):
        self.stop_while_provisioned(lambda p: p.send_signal(signal.SIGINT))

    def test_spend_limit_while_provisioned_removes_it(self):
        run = TuneRun(self.emulator, self.directory, '--memory', '2048', '--invocations',
                      '100000', '--provisioned-concurrency', '1', '--traffic', '5', '--yes',
                      max_spend='0.02')
        code, output = run.finish()
        self.assertEqual(code, 1, output)
        self.assertIn('spend limit reached', output)
        self.assert_restored('tune-fn')

    def test_provisioned_bill_by_hand(self):
        traffic, count, memory = 5.0, 2, 1024
        run = TuneRun(self.emulator, self.directory, '--memory', str(memory), '--invocations',
                      '6', '--concurrency', '2', '--provisioned-concurrency', str(count),
                      '--traffic', str(traffic), '--compare-function', ARM)
        code, output = run.finish()
        self.assertEqual(code, 0, output)
        for function in MODEL:
            self.assert_restored(function)
        found = rows(run)
        month = 730 * 3600
        for function, (_, _, arch) in MODEL.items():
            on_demand, pc_gbs, pc_duration = PRICES[arch]
            row = found[(function, memory, count)]
            billed = billed_ms(function, memory)
            self.assertEqual((row['measured'], row['failed']), ('6', '0'), row)
            self.assertEqual(float(row['p50_billed_ms']), billed)
            gb = memory / 1024
            # The run's own charge: the environments for the seconds they were configured.
            seconds = float(row['provisioned_seconds'])
            self.assertGreater(seconds, 0)
            self.assertAlmostEqual(float(row['provisioned_usd']), count * gb * seconds * pc_gbs,
                                   places=11)
            # Per 1M at the traffic: a month of the environments over a month of requests; the
            # requests they carry (count / duration: 3.33/s at 600 ms, 3.61/s at 553.6 ms, so
            # not all 5/s) at the request fee and the lower duration price, the rest on demand.
            fixed = count * gb * pc_gbs * month / (traffic * month) * 1e6
            carried = min(traffic, count / (billed / 1000))
            self.assertLess(carried, traffic)
            variable = 0.20 + 1e6 * gb * billed / 1000 * (
                carried * pc_duration + (traffic - carried) * on_demand) / traffic
            self.assertAlmostEqual(float(row['provisioned_usd_per_million']), fixed, places=5)
            self.assertAlmostEqual(float(row['usd_per_million']), fixed + variable, places=5)
            # It pays off where the duration saved covers the fixed charge.
            saved = (on_demand - pc_duration) * gb * billed / 1000
            self.assertAlmostEqual(float(row['provisioned_pays_off_rps']),
                                   count * gb * pc_gbs / saved, places=3)
        with open(os.path.join(run.out, 'report.md')) as f:
            self.assertIn('## Provisioned concurrency', f.read())


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
