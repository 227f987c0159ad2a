"""The CPU times read from /proc: a process's, and its main thread's alone."""

import os
import threading
import time
import unittest

import context  # noqa: F401 (puts bench/ on the path)
from synbench import proctree

# /proc/PID/stat of a Node worker, its command name holding a space and a parenthesis.
STAT = ("4242 (node (w 1)) S 4200 4242 4200 0 -1 4194560 1000 0 0 0 "
        "150 40 7 3 20 0 11 0 100 1000000 5000 18446744073709551615")


class Stat(unittest.TestCase):
    def test_a_process_counts_its_threads_and_reaped_children(self):
        self.assertEqual(proctree.parse_stat(STAT), (4200, 150 + 40 + 7 + 3))

    def test_a_thread_counts_its_own_time_only(self):
        self.assertEqual(proctree.parse_thread_stat(STAT), 150 + 40)


class MainThreads(unittest.TestCase):
    def test_work_on_another_thread_is_not_the_main_threads(self):
        """This process burns 0.3 s of CPU on a second thread: the process's time grows by that,
        its main thread's (which only waits) hardly at all."""
        me = os.getpid()
        total0, main0, _ = proctree.tree_cpu_split(me)

        def burn():
            start = time.thread_time()
            while time.thread_time() - start < 0.3:
                pass

        worker = threading.Thread(target=burn)
        worker.start()
        worker.join()
        total1, main1, _ = proctree.tree_cpu_split(me)
        total, main = total1 - total0, main1 - main0
        self.assertGreaterEqual(total, 0.25)
        self.assertLess(main, 0.1)


if __name__ == "__main__":
    unittest.main()
