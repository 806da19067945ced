// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ExperimentDocument.h"

#include "core/model/BlockCatalogue.h"
#include "core/project/Services.h"
#include "widgets/GuiText.h"

#include <QFileInfo>
#include <QUndoCommand>

namespace fuselab {
namespace gui {

namespace {

// One core graph edit on the undo stack: it holds the edit and its inverse, nothing else.
class GraphEditCommand final : public QUndoCommand {
public:
    GraphEditCommand(GraphModel &model, GraphEdit inverse, const QString &text)
        : QUndoCommand(text), m_model(model), m_inverse(std::move(inverse))
    {
    }
    void redo() override
    {
        if (m_first) { // pushed after the edit was applied (so a refused edit is never pushed)
            m_first = false;
            return;
        }
        m_inverse = m_model.apply(m_redo).inverse;
    }
    void undo() override { m_redo = m_model.apply(m_inverse).inverse; }

private:
    GraphModel &m_model;
    GraphEdit m_inverse, m_redo;
    bool m_first = true;
};

} // namespace

class SettingsCommand final : public QUndoCommand {
public:
    SettingsCommand(ExperimentDocument &doc, TrainingSettings before, TrainingSettings after, const QString &text)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override { m_doc.applySettings(m_after); }
    void undo() override { m_doc.applySettings(m_before); }

private:
    ExperimentDocument &m_doc;
    TrainingSettings m_before, m_after;
};

class NotesCommand final : public QUndoCommand {
public:
    NotesCommand(ExperimentDocument &doc, std::vector<CanvasNote> before, std::vector<CanvasNote> after, const QString &text)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override { m_doc.applyNotes(m_after); }
    void undo() override { m_doc.applyNotes(m_before); }

private:
    ExperimentDocument &m_doc;
    std::vector<CanvasNote> m_before, m_after;
};

ExperimentDocument::ExperimentDocument(QObject *parent)
    : QObject(parent), m_model(std::make_unique<GraphModel>(builtinBlocks(), InferContext{}))
{
    m_model->addListener(this);
    QObject::connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
}

ExperimentDocument::~ExperimentDocument() { m_model->removeListener(this); }

void ExperimentDocument::reset(Experiment experiment, const QString &path)
{
    m_undo.clear();
    m_path = path;
    Graph graph = std::move(experiment.graph);
    experiment.graph = {};
    m_experiment = std::move(experiment);
    m_loaded = true;
    m_countsKey.clear();
    m_model->setContext(inferContext(m_experiment, experimentDir().toStdString()));
    m_model->reset(std::move(graph));
    m_undo.setClean();
    Q_EMIT documentReset();
    Q_EMIT pathChanged(m_path);
    Q_EMIT modifiedChanged(false);
}

void ExperimentDocument::load(const QString &path)
{
    reset(Experiment::load(path.toStdString()), QFileInfo(path).absoluteFilePath());
}

void ExperimentDocument::save(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    Experiment e = experiment();
    // Saved into another folder: its relative paths must still name the same files.
    const bool moved = !m_path.isEmpty() && QFileInfo(absolute).absolutePath() != experimentDir();
    if (moved)
        rebasePaths(e, experimentDir().toStdString(), QFileInfo(absolute).absolutePath().toStdString(), builtinBlocks());
    e.save(path.toStdString());
    if (absolute != m_path) {
        m_path = absolute;
        if (moved) {
            m_experiment.dataset.path = e.dataset.path;
            m_experiment.preprocessing.text.vocabFile = e.preprocessing.text.vocabFile;
            m_model->setContext(inferContext(m_experiment, experimentDir().toStdString()));
            for (const GraphNode &n : e.graph.nodes)
                if (const GraphNode *old = m_model->node(n.id); old && old->params != n.params)
                    for (auto it = n.params.begin(); it != n.params.end(); ++it)
                        if (old->params.value(it.key(), nlohmann::json()) != it.value())
                            m_model->setOption(n.id, it.key(), it.value());
        }
        Q_EMIT pathChanged(m_path);
    }
    m_undo.setClean();
}

Experiment ExperimentDocument::experiment() const
{
    Experiment e = m_experiment;
    e.graph = m_model->graph();
    return e;
}

QString ExperimentDocument::experimentDir() const { return m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath(); }

const std::map<std::string, std::int64_t> &ExperimentDocument::parameterCounts()
{
    // Building the model is the expensive part: only redo it when a block, an option or an
    // edge changed, not after a move or a rename.
    nlohmann::json key = nlohmann::json::array();
    for (const GraphNode &n : m_model->graph().nodes)
        key.push_back({n.id, n.type, n.params});
    for (const GraphEdge &e : m_model->graph().edges)
        key.push_back({e.from.node, e.from.port, e.to.node, e.to.port});
    std::string k = key.dump();
    if (k != m_countsKey) {
        m_counts = m_model->analysis().ok() ? fuselab::parameterCounts(experiment(), experimentDir().toStdString())
                                             : std::map<std::string, std::int64_t>{};
        m_countsKey = std::move(k);
    }
    return m_counts;
}

EditResult ExperimentDocument::apply(const GraphEdit &edit, const QString &description)
{
    EditResult r = m_model->apply(edit);
    if (r.ok)
        m_undo.push(new GraphEditCommand(*m_model, r.inverse, description));
    return r;
}

EditResult ExperimentDocument::addNode(const std::string &type, double x, double y)
{
    EditResult r = m_model->addNode(type, x, y);
    if (r.ok) {
        const BlockType *t = m_model->registry().find(type);
        m_undo.push(new GraphEditCommand(*m_model, r.inverse, tr("Add %1").arg(t ? translated("Blocks", t->title()) : qs(type))));
    }
    return r;
}

EditResult ExperimentDocument::connectPorts(const PortRef &from, const PortRef &to)
{
    // An occupied single input: replace its edge, when the new one is otherwise acceptable.
    const GraphNode *target = m_model->node(to.node);
    const BlockType *t = target ? m_model->registry().find(target->type) : nullptr;
    std::optional<GraphEdge> old;
    if (t)
        for (auto &p : t->inputs())
            if (p.name == to.port && !p.multiple)
                for (auto &e : m_model->graph().edges)
                    if (e.to == to && !(e.from == from))
                        old = e;
    if (!old) {
        EditResult r = m_model->connect(from, to);
        if (r.ok)
            m_undo.push(new GraphEditCommand(*m_model, r.inverse, tr("Connect")));
        return r;
    }
    const EditResult cut = m_model->disconnect(old->from, old->to);
    EditResult r = m_model->connect(from, to);
    if (!r.ok) {
        m_model->apply(cut.inverse); // put the old edge back where it was
        return r;
    }
    m_undo.beginMacro(tr("Replace connection"));
    m_undo.push(new GraphEditCommand(*m_model, cut.inverse, tr("Disconnect")));
    m_undo.push(new GraphEditCommand(*m_model, r.inverse, tr("Connect")));
    m_undo.endMacro();
    return r;
}

void ExperimentDocument::removeItems(const std::vector<std::string> &nodes, const std::vector<GraphEdge> &edges)
{
    if (nodes.empty() && edges.empty())
        return;
    m_undo.beginMacro(tr("Delete"));
    for (const GraphEdge &e : edges) {
        GraphEdit edit;
        edit.kind = GraphEdit::Kind::RemoveEdge;
        edit.edge = e;
        apply(edit, tr("Disconnect"));
    }
    for (const std::string &id : nodes) {
        GraphEdit edit;
        edit.kind = GraphEdit::Kind::RemoveNode;
        edit.nodeId = id;
        apply(edit, tr("Delete block"));
    }
    m_undo.endMacro();
}

void ExperimentDocument::setTrainingSettings(const TrainingSettings &settings, const QString &description)
{
    if (settings.toJson() == m_experiment.training.toJson())
        return;
    m_undo.push(new SettingsCommand(*this, m_experiment.training, settings, description));
}

void ExperimentDocument::setNotes(const std::vector<CanvasNote> &notes, const QString &description)
{
    if (notes == m_experiment.notes)
        return;
    m_undo.push(new NotesCommand(*this, m_experiment.notes, notes, description));
}

void ExperimentDocument::applySettings(const TrainingSettings &settings)
{
    m_experiment.training = settings;
    Q_EMIT settingsChanged();
}

void ExperimentDocument::applyNotes(const std::vector<CanvasNote> &notes)
{
    m_experiment.notes = notes;
    Q_EMIT settingsChanged();
}

void ExperimentDocument::graphChanged(const GraphChange &change)
{
    Q_EMIT graphEdited(change);
}

} // namespace gui
} // namespace fuselab
