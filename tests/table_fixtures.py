"""Small tables in every format, written for these tests. The facts in them are true
(names, arXiv ids, organisations, dates, sizes); the notes and explanations are ours."""

from __future__ import annotations

import csv
import io
import json

EPOCH_HEADER = [
    "Model", "Domain", "Organization", "Publication date", "Parameters", "Parameters notes",
    "Training dataset", "Model accessibility", "Base model", "Link", "Confidence",
]  # fmt: skip
EPOCH_ROWS = [
    ["BERT-Large", "Language", "Google", "2018-10-11", "340000000.0",
     "Our note: the large size.", "BookCorpus,English Wikipedia",
     "Open weights (unrestricted)", "", "https://arxiv.org/abs/1810.04805", "Confident"],
    ["LLaMA-65B", "Language", "Meta AI", "2023-02-24", "65200000000.0", "",
     "", "Open weights (non-commercial)", "", "https://arxiv.org/abs/2302.13971", "Confident"],
    ["LLaMA-7B", "Language", "Meta AI", "2023-02-24", "", "", "",
     "Open weights (non-commercial)", "", "https://arxiv.org/abs/2302.13971", "Likely"],
    ["Mixtral 8x7B", "Language", "Mistral AI", "2023-12-11", "46700000000.0", "", "",
     "Open weights (unrestricted)", "", "https://mistral.ai/news/mixtral-of-experts/",
     "Speculative"],
    ["Falcon-180B", "Language", "Technology Innovation Institute", "2023-09-06",
     "180000000000.0", "", "", "Open weights (restricted use)", "",
     "https://falconllm.tii.ae/", ""],
    ["Alpaca", "Language", "Stanford University", "2023-03-13", "7000000000.0", "", "",
     "Open weights (non-commercial)", "LLaMA-7B", "https://crfm.stanford.edu/2023/03/13/alpaca.html",
     "Confident"],
    ["ResNet-50", "Vision", "Microsoft", "2015-12-10", "25000000.0", "", "ImageNet",
     "Open weights (unrestricted)", "", "https://arxiv.org/abs/1512.03385", "Confident"],
]  # fmt: skip

EPOCH_COLUMNS = {
    "Organization": {"field": "lab", "split": ","},
    "Publication date": {"field": "date", "kind": "publication"},
    "Parameters": {"field": "params", "notes": "Parameters notes"},
    "Training dataset": {"field": "corpus", "split": ","},
    "Model accessibility": "access",
    "Base model": {"field": "base_model", "split": ","},
    "Link": "link",
}


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


EPOCH_CSV = to_csv(EPOCH_HEADER, EPOCH_ROWS)

# ecosystem-graphs layout: a list of assets, {value, explanation} cells, lists
MISTRAL_YAML = """\
- type: model
  name: Mixtral
  organization: Mistral AI
  created_date:
    value: 2023-12-11
    explanation: Our note on the day the weights were announced.
  size: 46.7B parameters (sparse)
  license: Apache 2.0
  dependencies: []
  url: https://mistral.ai/news/mixtral-of-experts/
- type: model
  name: Mistral
  organization: Mistral AI
  created_date: 2023-09-27
  size: 7.3B parameters (dense)
  license: Apache 2.0
  dependencies: []
  url: https://mistral.ai/news/announcing-mistral-7b/
"""
BIGSCIENCE_YAML = """\
- type: dataset
  name: ROOTS
  organization: BigScience
  created_date: unknown
  size: 1.6TB
  license: custom
  dependencies: []
  url: https://arxiv.org/abs/2303.03915
- type: model
  name: BLOOM
  organization: BigScience, Hugging Face
  created_date: 2022-07-12
  size: 176B parameters (dense)
  license:
    value: BigScience RAIL License v1.0
    explanation: Our note on where the licence is given.
  dependencies: [ROOTS]
  url: https://arxiv.org/abs/2211.05100
"""
ECOSYSTEM_COLUMNS = {
    "organization": {"field": "lab", "split": ","},
    "created_date": "date",
    "size": "params",
    "license": "license",
    "dependencies": "dependencies",
    "url": "link",
}

# ORKG layout: an object holding the list, dates stored to the day though known to the month
ORKG_JSON = json.dumps(
    {
        "source": "test copy",
        "extraction_data": [
            {
                "model_name": "BERT",
                "date_created": "2018-10-01",
                "organization": "Google",
                "parameters": "Base = 110M, Large = 340M",
                "license": "Open, Apache 2.0",
                "blog_post": None,
            },
            {
                "model_name": "GPT-1",
                "date_created": "2018-06-01",
                "organization": "OpenAI",
                "parameters": "117M",
                "license": "closed source",
                "blog_post": None,
            },
        ],
    },
    indent=1,
)
ORKG_COLUMNS = {
    "date_created": {"field": "date", "precision": "month"},
    "organization": {"field": "lab", "split": ","},
    "parameters": "params",
    "license": "license",
    "blog_post": "link",
}

# LLMSurvey layout: an HTML table inside markdown, a category cell spanning rows
SURVEY_MD = """\
# A list of models

Some prose before the table.

<table class="tg">
<thead>
  <tr>
    <th rowspan="2">Category</th>
    <th rowspan="2">model</th>
    <th rowspan="2">Release Time</th>
    <th rowspan="2">Size(B)</th>
    <th rowspan="2">Link</th>
  </tr>
  <tr>
  </tr>
</thead>
<tbody>
  <tr>
    <td rowspan="2">Publicly <br>Accessible</td>
    <td>T5</td>
    <td>2019/10</td>
    <td>11</td>
    <td><a href="https://arxiv.org/abs/1910.10683">Paper</a></td>
  </tr>
  <tr>
    <td>BLOOM</td>
    <td>2022/07</td>
    <td>176</td>
    <td><a href="https://arxiv.org/abs/2211.05100">Paper</a></td>
  </tr>
  <tr>
    <td>Closed<br>Source</td>
    <td>GPT-3</td>
    <td>2020/05</td>
    <td>175</td>
    <td><a href="https://arxiv.org/abs/2005.14165">Paper</a></td>
  </tr>
</tbody>
</table>
"""
SURVEY_COLUMNS = {
    "Release Time": {"field": "date", "kind": "release"},
    "Size(B)": {"field": "params", "unit": "B"},
    "Category": "license",
    "Link": "link",
}
