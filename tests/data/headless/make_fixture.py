#!/usr/bin/env python3
"""Makes the headless build's test fixture (tests/headless): a tensor cache and an experiment
for a small image + text dataset, made by a FULL build's fuselab-cli, as a user of a GPU
server makes them on a workstation and copies them over (docs/user-guide.md).

    python3 tests/data/headless/make_fixture.py build/bin/fuselab-cli

Class "bright" has images of grey levels 170-255 and class "dark" 0-85 (8x8 pixels, one
channel); each caption is four words from a shared list, and in 70% of samples one of them
is the class's own word ("sunny" or "night"). Seeded: the same files every time."""
import json, os, random, shutil, subprocess, sys, tempfile

cli = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)
shared = ["a", "the", "picture", "of", "some", "grey", "square", "taken", "today", "here"]
with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "bright-dark")
    os.makedirs(os.path.join(data, "images"))
    rows = ["image,caption,label"]
    for i in range(160):
        label = "bright" if i % 2 == 0 else "dark"
        lo = 170 if label == "bright" else 0
        pixels = bytes(rng.randint(lo, lo + 85) for _ in range(64))
        name = f"images/{i:03d}.pgm"
        with open(os.path.join(data, name), "wb") as f:
            f.write(b"P5\n8 8\n255\n" + pixels)
        words = [rng.choice(shared) for _ in range(4)]
        if rng.random() < 0.7:
            words[rng.randrange(4)] = "sunny" if label == "bright" else "night"
        rows.append(f"{name},{' '.join(words)},{label}")
    with open(os.path.join(data, "manifest.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    exp = os.path.join(here, "bright-dark.fuselab.json")
    subprocess.run([cli, "new", "--template", "concat", "--dataset", os.path.join(data, "manifest.csv"), "-o", exp, "--force"], check=True)
    # Captions are four words: eight tokens are plenty. The dataset's path is the one it
    # had on the workstation; the headless build never opens it.
    with open(exp) as f:
        e = json.load(f)
    e["preprocessing"]["text"]["max_length"] = 8
    e["dataset"]["path"] = "bright-dark/manifest.csv"
    with open(exp, "w") as f:
        json.dump(e, f, indent=1, sort_keys=True)
        f.write("\n")
    settings = os.path.join(tmp, "settings.json")
    with open(settings, "w") as f:
        json.dump(e["preprocessing"], f)
    caches = os.path.join(tmp, "caches")
    out = subprocess.run([cli, "cache", os.path.join(data, "manifest.csv"), "--settings", settings,
                          "--cache-dir", caches, "--quiet"], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    target = os.path.join(here, "cache")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(out, target)
print("wrote", exp, "and", os.path.join(here, "cache"))
