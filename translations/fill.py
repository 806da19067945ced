#!/usr/bin/env python3
# Writes the Simplified Chinese in zh_CN.py into fuselab_zh_CN.ts (after translations/update.sh
# has added new sources). Sources without a translation stay "unfinished".
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from zh_CN import ZH  # noqa: E402

path = os.path.join(here, 'fuselab_zh_CN.ts')
text = open(path, encoding='utf-8').read()


def unescape(s):
    return s.replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"').replace('&apos;', "'").replace('&amp;', '&')


def escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


missing = []


def fill(m):
    source = unescape(m.group(1))
    if source not in ZH:
        missing.append(source)
        return m.group(0)
    return '<source>%s</source>\n        <translation>%s</translation>' % (m.group(1), escape(ZH[source]))


text = re.sub(r'<source>(.*?)</source>\s*<translation[^>]*>.*?</translation>', fill, text, flags=re.S)
open(path, 'w', encoding='utf-8').write(text)
for s in missing:
    print('untranslated:', s)
print('%d untranslated' % len(missing))
