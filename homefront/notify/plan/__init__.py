"""Which messages are due, for whom, and when, in each person's own time zone.

The planner runs every minute or so in each worker and may run many times over
the same moment: every message it makes has an idempotency key, so it exists
once however often, and by however many workers, it is planned (`notify/drafts.py`).

- `household.py`: one planner per kind of message, over one planning of a household
  (`planning.py`, with its one fan-out to the channels);
- `rounds.py`: a worker's round, claiming each household whose time has come;
- `on_demand.py`: the messages asked for there and then ("leave now", a test).
"""

from homefront.notify.plan.household import Planned
from homefront.notify.plan.household import plan_household
from homefront.notify.plan.on_demand import leave_now
from homefront.notify.plan.on_demand import trial_message
from homefront.notify.plan.rounds import plan_all
from homefront.notify.plan.rounds import plan_due

__all__ = ["Planned", "leave_now", "plan_all", "plan_due", "plan_household", "trial_message"]
