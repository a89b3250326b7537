"""Each part's computing time in an executed copy of the lab (nbs/15_lab.ipynb run by nbconvert, which records when every
cell started and ended): the sum over the code cells under each '## ' heading.

    python tools/lab_times.py runs/lab/15_lab.ipynb
"""
import json, sys
from datetime import datetime

def part_times(path) -> dict:
    "{part heading: seconds} from the cells' execution timestamps."
    nb, part, out = json.load(open(path)), 'setup', {}
    t = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00'))
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and src.startswith('## '): part = src.splitlines()[0][3:]
        ex = c.get('metadata', {}).get('execution', {})
        if c['cell_type'] == 'code' and 'iopub.execute_input' in ex and 'shell.execute_reply' in ex:
            out[part] = out.get(part, 0.) + (t(ex['shell.execute_reply']) - t(ex['iopub.execute_input'])).total_seconds()
    return out

if __name__ == '__main__':
    times = part_times(sys.argv[1])
    for part, s in times.items(): print(f"{part:45s} {s:7.1f} s")
    print(f"{'total':45s} {sum(times.values()):7.1f} s")
