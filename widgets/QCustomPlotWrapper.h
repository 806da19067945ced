// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one place qcustomplot.h is included. FuseLab builds with QT_NO_KEYWORDS (LibTorch has
// a method named slots()), and Debian's qcustomplot.h uses the `signals:` and `foreach`
// keywords: define them for this include only.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
