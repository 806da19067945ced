// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/Experiment.h"
#include "core/graph/GraphModel.h"

#include <QObject>
#include <QString>
#include <QUndoStack>

#include <map>
#include <memory>

namespace fuselab {
namespace gui {

// The open experiment: core's editable graph model for the graph, the rest of the
// experiment (dataset, preprocessing, training settings, notes) beside it, one undo stack
// over every edit, and the file it lives in. Views subscribe to its signals; every user
// action becomes an undoable edit here. GUI thread only.
class ExperimentDocument final : public QObject, private GraphModelListener {
    Q_OBJECT
public:
    explicit ExperimentDocument(QObject *parent = nullptr);
    ~ExperimentDocument() override;

    // Replaces the document (a template, a file): clears the undo history.
    void reset(Experiment experiment, const QString &path = {});
    // Throws fuselab::Error naming the file.
    void load(const QString &path);
    // Atomic (temporary file + rename); marks the document clean.
    void save(const QString &path);

    Experiment experiment() const; // with the current graph
    const Experiment &settings() const { return m_experiment; }
    GraphModel &model() { return *m_model; }
    const GraphModel &model() const { return *m_model; }
    QUndoStack *undoStack() { return &m_undo; }
    QString path() const { return m_path; }
    QString experimentDir() const;
    bool isModified() const { return !m_undo.isClean(); }
    bool hasExperiment() const { return m_loaded; }

    // Parameters per node (core's model built from the graph); empty while it does not validate.
    const std::map<std::string, std::int64_t> &parameterCounts();

    // Undoable edits. Each returns core's result: a refused one changes nothing and says why.
    EditResult apply(const GraphEdit &edit, const QString &description);
    EditResult addNode(const std::string &type, double x, double y);
    // Connects; an occupied single input is replaced (one undo step for both).
    EditResult connectPorts(const PortRef &from, const PortRef &to);
    void removeItems(const std::vector<std::string> &nodes, const std::vector<GraphEdge> &edges);
    void setTrainingSettings(const TrainingSettings &settings, const QString &description);
    void setNotes(const std::vector<CanvasNote> &notes, const QString &description);

Q_SIGNALS:
    void graphEdited(const fuselab::GraphChange &change);
    void settingsChanged();
    void documentReset();
    void pathChanged(const QString &path);
    void modifiedChanged(bool modified);

private:
    friend class SettingsCommand;
    friend class NotesCommand;
    void graphChanged(const GraphChange &change) override; // GraphModelListener
    void applySettings(const TrainingSettings &settings);
    void applyNotes(const std::vector<CanvasNote> &notes);

    Experiment m_experiment;
    std::unique_ptr<GraphModel> m_model;
    QUndoStack m_undo;
    QString m_path;
    bool m_loaded = false;
    std::string m_countsKey; // the graph's types, options and edges the counts were made from
    std::map<std::string, std::int64_t> m_counts;
};

} // namespace gui
} // namespace fuselab
