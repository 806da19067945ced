// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/GraphAnalysis.h"

#include <QListWidget>

namespace fuselab {
namespace gui {

// The graph's problems (from core's analysis; a click selects the node) and the session's
// messages (refused edits, files opened and saved, errors).
class LogPanel final : public QListWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget *parent = nullptr);
    void setProblems(const std::vector<GraphProblem> &problems, const std::function<QString(const std::string &)> &nameOf);
    void addMessage(const QString &text, bool error = false);

Q_SIGNALS:
    void nodeClicked(const QString &nodeId);

private:
    int m_problemRows = 0;
};

} // namespace gui
} // namespace fuselab
