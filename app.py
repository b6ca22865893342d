"""The interactive page of one run: `solara run app.py` (or `run.py app`).

The actor network, the terrain map, the event feed and the daily plots of one run, stepped day
by day with Mesa's SolaraViz (Step, Play, Reset; the controls take effect on Reset). The panels
live in `sim/viz/`; docs/app.md says what the page shows and how it runs offline.
"""

import solara
import solara.server.settings
from mesa.visualization import SolaraViz

from sim.viz.components import COMPONENTS, PAGE_NAME, initial_model, model_params

# No usage reports to a third party from a research tool (and none can leave a closed network):
# `sim.viz.serve` also turns them off before the server starts.
solara.server.settings.telemetry.mixpanel_enable = False


@solara.component
def Page():
    # A component, not Mesa's usual module-level `page = SolaraViz(model, ...)`: Solara runs
    # this file once per server, so a model built here at import would be one run shared by
    # every browser tab; built in the component, each tab (session) steps its own.
    model = solara.use_memo(initial_model, dependencies=[])
    controls = solara.use_memo(model_params, dependencies=[])
    SolaraViz(model, components=COMPONENTS, model_params=controls, name=PAGE_NAME)
