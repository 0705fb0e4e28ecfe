"""prep-bot: a rehearsal room for a council's CQC adult social care assessment."""

import os

# Offline by design: no model hub, no telemetry, no analytics. Set before any
# heavy library is imported so that every entry point (CLI, UI, tests) inherits it.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # onnxruntime otherwise writes a device id and a telemetry database under ~/.cache at import.
    "ORT_DISABLE_TELEMETRY": "1",
}.items():
    os.environ[_name] = _value

__version__ = "0.1.0"
