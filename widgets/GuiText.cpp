// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/GuiText.h"

#include <QCoreApplication>
#include <QStringList>

namespace fuselab {
namespace gui {

QString translated(const Message &m)
{
    if (m.empty())
        return {};
    QString text = m.context.empty() ? QString::fromStdString(m.text) : QCoreApplication::translate(m.context.c_str(), m.text.c_str());
    // Each argument once: data as it is, a nested sentence translated on its own.
    QStringList args;
    for (const MessageArg &a : m.args)
        args << (a.isMessage() ? translated(a.message()) : QString::fromStdString(a.data()));
    // QString::arg would renumber; fill %1..%9 as core does.
    QString out;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == QLatin1Char('%') && i + 1 < text.size() && text[i + 1] >= QLatin1Char('1') && text[i + 1] <= QLatin1Char('9')) {
            const auto k = static_cast<std::size_t>(text[i + 1].unicode() - '1');
            out += k < static_cast<std::size_t>(args.size()) ? args[static_cast<qsizetype>(k)] : text.mid(i, 2);
            ++i;
        } else {
            out += c;
        }
    }
    return out;
}

QString translated(const char *context, const std::string &english)
{
    return QCoreApplication::translate(context, english.c_str());
}

} // namespace gui
} // namespace fuselab
