"""Job processes run below the web workers' priority and stop between batches when signalled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from techbridge.jobs.process import StopFlag


class TestLowerPriority:
    def test_raises_the_niceness_of_the_process(self) -> None:
        script = "import os; from techbridge.jobs.process import lower_priority; lower_priority(5); print(os.nice(0))"
        after = int(subprocess.check_output([sys.executable, "-c", script]))
        assert after == min(os.nice(0) + 5, 19)


class TestStopFlag:
    def test_sigterm_sets_the_flag_instead_of_killing(self) -> None:
        previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
        try:
            flag = StopFlag.on_signals()
            assert not flag()
            os.kill(os.getpid(), signal.SIGTERM)
            assert flag()
        finally:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
