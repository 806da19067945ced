// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/PropertiesPanel.h"

#include "core/model/BlockCatalogue.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GuiText.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace fuselab {
namespace gui {

PropertiesPanel::PropertiesPanel(ExperimentDocument *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_scroll(new QScrollArea(this))
{
    setObjectName(QStringLiteral("propertiesPanel"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll);
    connect(document, &ExperimentDocument::documentReset, this, [this] { showNode({}); });
    connect(document, &ExperimentDocument::settingsChanged, this, [this] {
        if (m_node.empty())
            refreshValues();
    });
    connect(document, &ExperimentDocument::graphEdited, this, [this](const GraphChange &c) {
        if (m_node.empty())
            return;
        if (!m_document->model().node(m_node)) {
            showNode({}); // the shown block was removed
            return;
        }
        if (c.kind == GraphChange::Kind::NodeChanged && c.nodeId == m_node)
            refreshValues();
    });
    rebuild();
}

void PropertiesPanel::showNode(const QString &nodeId)
{
    m_node = nodeId.toStdString();
    rebuild();
}

void PropertiesPanel::showRefusal(const QString &text)
{
    if (!m_error)
        return;
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void PropertiesPanel::refreshValues()
{
    m_updating = true;
    for (auto &f : m_refreshers)
        f();
    m_updating = false;
}

void PropertiesPanel::rebuild()
{
    m_refreshers.clear();
    m_content = new QWidget;
    m_error = nullptr;
    const GraphNode *node = m_node.empty() ? nullptr : m_document->model().node(m_node);
    if (node)
        buildNodeForm(*node);
    else
        buildSettingsForm();
    m_scroll->setWidget(m_content); // deletes the previous form
    refreshValues();
}

void PropertiesPanel::buildNodeForm(const GraphNode &node)
{
    auto *v = new QVBoxLayout(m_content);
    const BlockType *type = m_document->model().registry().find(node.type);
    auto *title = new QLabel(QStringLiteral("<b>%1</b>").arg((type ? translated("Blocks", type->title()) : qs(node.type)).toHtmlEscaped()));
    v->addWidget(title);
    if (type) {
        auto *math = new QLabel(translated("Blocks", type->math()));
        math->setWordWrap(true);
        math->setTextInteractionFlags(Qt::TextSelectableByMouse);
        math->setStyleSheet(QStringLiteral("color: #444; font-family: monospace;"));
        v->addWidget(math);
    } else {
        auto *unknown = new QLabel(tr("This block type is not known to this version of FuseLab; it is kept as it is."));
        unknown->setWordWrap(true);
        v->addWidget(unknown);
    }
    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #a01c1c;"));
    m_error->setVisible(false);
    m_error->setObjectName(QStringLiteral("propertyError"));
    v->addWidget(m_error);
    auto *form = new QFormLayout;
    v->addLayout(form);
    v->addStretch(1);

    const std::string id = node.id;
    auto *name = new QLineEdit;
    name->setObjectName(QStringLiteral("nodeName"));
    form->addRow(tr("Name"), name);
    m_refreshers.push_back([this, name, id] {
        if (const GraphNode *n = m_document->model().node(id))
            name->setText(qs(n->displayName()));
    });
    connect(name, &QLineEdit::editingFinished, this, [this, name, id] {
        const GraphNode *n = m_document->model().node(id);
        if (m_updating || !n || name->text().toStdString() == n->displayName())
            return;
        GraphEdit e;
        e.kind = GraphEdit::Kind::Rename;
        e.nodeId = id;
        e.name = name->text().toStdString();
        const EditResult r = m_document->apply(e, tr("Rename block"));
        showRefusal(r.ok ? QString() : translated(r.reason));
        if (!r.ok)
            refreshValues();
    });
    if (!type)
        return;

    auto commit = [this, id](const std::string &option, const nlohmann::json &value) {
        if (m_updating)
            return;
        const GraphNode *n = m_document->model().node(id);
        if (n && n->params.contains(option) && n->params[option] == value)
            return;
        GraphEdit e;
        e.kind = GraphEdit::Kind::SetOption;
        e.nodeId = id;
        e.option = option;
        e.value = value;
        const EditResult r = m_document->apply(e, tr("Set %1").arg(qs(option)));
        showRefusal(r.ok ? QString() : translated(r.reason));
        if (!r.ok)
            refreshValues();
    };
    for (const OptionSpec &o : type->options()) {
        const std::string key = o.name;
        auto current = [this, id, key, def = o.defaultValue]() -> nlohmann::json {
            const GraphNode *n = m_document->model().node(id);
            return n && n->params.contains(key) ? n->params[key] : def;
        };
        QWidget *w = nullptr;
        switch (o.type) {
        case OptionSpec::Type::Int: {
            auto *s = new QSpinBox;
            s->setRange(o.min <= o.max ? static_cast<int>(std::max(o.min, -2e9)) : -1000000000,
                        o.min <= o.max ? static_cast<int>(std::min(o.max, 2e9)) : 1000000000);
            m_refreshers.push_back([s, current] { s->setValue(current().is_number() ? current().get<int>() : 0); });
            connect(s, &QSpinBox::editingFinished, this, [s, commit, key] { commit(key, s->value()); });
            w = s;
            break;
        }
        case OptionSpec::Type::Float: {
            auto *s = new QDoubleSpinBox;
            s->setDecimals(4);
            s->setRange(o.min <= o.max ? o.min : -1e9, o.min <= o.max ? o.max : 1e9);
            s->setSingleStep(o.max - o.min <= 1.0 && o.min <= o.max ? 0.05 : 1.0);
            m_refreshers.push_back([s, current] { s->setValue(current().is_number() ? current().get<double>() : 0.0); });
            connect(s, &QDoubleSpinBox::editingFinished, this, [s, commit, key] { commit(key, s->value()); });
            w = s;
            break;
        }
        case OptionSpec::Type::Bool: {
            auto *c = new QCheckBox;
            m_refreshers.push_back([c, current] { c->setChecked(current().is_boolean() && current().get<bool>()); });
            connect(c, &QCheckBox::toggled, this, [commit, key](bool on) { commit(key, on); });
            w = c;
            break;
        }
        case OptionSpec::Type::Choice: {
            auto *c = new QComboBox;
            for (auto &choice : o.choices)
                c->addItem(qs(choice), qs(choice));
            m_refreshers.push_back([c, current] {
                c->setCurrentIndex(c->findData(current().is_string() ? qs(current().get<std::string>()) : QString()));
            });
            connect(c, &QComboBox::currentIndexChanged, this, [c, commit, key](int) { commit(key, c->currentData().toString().toStdString()); });
            w = c;
            break;
        }
        case OptionSpec::Type::String: {
            auto *e = new QLineEdit;
            m_refreshers.push_back([e, current] { e->setText(current().is_string() ? qs(current().get<std::string>()) : QString()); });
            connect(e, &QLineEdit::editingFinished, this, [e, commit, key] { commit(key, e->text().toStdString()); });
            w = e;
            break;
        }
        }
        w->setObjectName(QStringLiteral("option_") + qs(key));
        w->setToolTip(translated("Blocks", o.help));
        form->addRow(qs(key), w);
    }
}

void PropertiesPanel::buildSettingsForm()
{
    auto *v = new QVBoxLayout(m_content);
    if (!m_document->hasExperiment()) {
        auto *empty = new QLabel(tr("Open an experiment or a dataset to see its settings."));
        empty->setWordWrap(true);
        v->addWidget(empty);
        v->addStretch(1);
        return;
    }
    v->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tr("Training settings"))));
    auto *hint = new QLabel(tr("Select a block to see its options."));
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: #555;"));
    v->addWidget(hint);
    auto *form = new QFormLayout;
    v->addLayout(form);
    // What chose these settings (a new experiment explains its training budget and defaults).
    if (!m_document->settings().description.empty()) {
        auto *about = new QLabel(qs(m_document->settings().description));
        about->setObjectName(QStringLiteral("experimentDescription"));
        about->setWordWrap(true);
        about->setTextInteractionFlags(Qt::TextSelectableByMouse);
        about->setStyleSheet(QStringLiteral("color: #444;"));
        v->addSpacing(8);
        v->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tr("About this experiment"))));
        v->addWidget(about);
    }
    v->addStretch(1);

    auto change = [this](const QString &what, const std::function<void(TrainingSettings &)> &f) {
        if (m_updating)
            return;
        TrainingSettings t = m_document->settings().training;
        f(t);
        m_document->setTrainingSettings(t, tr("Set %1").arg(what));
    };
    auto addInt = [&](const QString &label, const char *name, int min, int max, int TrainingSettings::*field) {
        auto *s = new QSpinBox;
        s->setObjectName(QString::fromLatin1(name));
        s->setRange(min, max);
        m_refreshers.push_back([this, s, field] { s->setValue(m_document->settings().training.*field); });
        connect(s, &QSpinBox::editingFinished, this, [s, change, label, field] { change(label, [&](TrainingSettings &t) { t.*field = s->value(); }); });
        form->addRow(label, s);
    };
    auto addReal = [&](const QString &label, const char *name, double min, double max, int decimals, double TrainingSettings::*field) {
        auto *s = new QDoubleSpinBox;
        s->setObjectName(QString::fromLatin1(name));
        s->setDecimals(decimals);
        s->setRange(min, max);
        s->setSingleStep(std::pow(10.0, -decimals + 1));
        m_refreshers.push_back([this, s, field] { s->setValue(m_document->settings().training.*field); });
        connect(s, &QDoubleSpinBox::editingFinished, this,
                [s, change, label, field] { change(label, [&](TrainingSettings &t) { t.*field = s->value(); }); });
        form->addRow(label, s);
    };
    auto addChoice = [&](const QString &label, const char *name, const std::vector<std::pair<QString, std::string>> &choices,
                         std::string TrainingSettings::*field) {
        auto *c = new QComboBox;
        c->setObjectName(QString::fromLatin1(name));
        for (auto &[text, value] : choices)
            c->addItem(text, qs(value));
        m_refreshers.push_back([this, c, field] { c->setCurrentIndex(c->findData(qs(m_document->settings().training.*field))); });
        connect(c, &QComboBox::currentIndexChanged, this,
                [c, change, label, field](int) { change(label, [&](TrainingSettings &t) { t.*field = c->currentData().toString().toStdString(); }); });
        form->addRow(label, c);
    };
    auto addBool = [&](const QString &label, const char *name, bool TrainingSettings::*field) {
        auto *c = new QCheckBox;
        c->setObjectName(QString::fromLatin1(name));
        m_refreshers.push_back([this, c, field] { c->setChecked(m_document->settings().training.*field); });
        connect(c, &QCheckBox::toggled, this, [change, label, field](bool on) { change(label, [&](TrainingSettings &t) { t.*field = on; }); });
        form->addRow(label, c);
    };
    addInt(tr("Epochs"), "epochs", 1, 100000, &TrainingSettings::epochs);
    addInt(tr("Batch size"), "batchSize", 1, 65536, &TrainingSettings::batchSize);
    addChoice(tr("Optimizer"), "optimizer", {{tr("Adam"), "adam"}, {tr("AdamW"), "adamw"}, {tr("SGD"), "sgd"}}, &TrainingSettings::optimizer);
    addReal(tr("Learning rate"), "learningRate", 1e-6, 9.9, 6, &TrainingSettings::learningRate);
    addReal(tr("Weight decay"), "weightDecay", 0, 1, 5, &TrainingSettings::weightDecay);
    addChoice(tr("Schedule"), "schedule", {{tr("constant"), "constant"}, {tr("step"), "step"}, {tr("cosine"), "cosine"}},
              &TrainingSettings::schedule);
    addInt(tr("Warm-up epochs"), "warmupEpochs", 0, 100000, &TrainingSettings::warmupEpochs);
    addChoice(tr("Best epoch by"), "earlyStopMetric",
              {{tr("validation accuracy"), "val_accuracy"}, {tr("validation macro-F1"), "val_macro_f1"}, {tr("validation loss"), "val_loss"},
               // numbers (regression) and texts (sequences); training refuses one that does not measure the dataset's task
               {tr("validation RMSE (numbers)"), "val_rmse"}, {tr("validation MAE (numbers)"), "val_mae"},
               {tr("validation R² (numbers)"), "val_r2"}, {tr("validation Pearson r (numbers)"), "val_pearson"},
               {tr("validation BLEU (texts)"), "val_bleu"}, {tr("validation chrF (texts)"), "val_chrf"},
               {tr("validation exact match (texts)"), "val_exact_match"}, {tr("validation WER (texts)"), "val_wer"},
               {tr("validation CER (texts)"), "val_cer"}},
              &TrainingSettings::earlyStopMetric);
    addInt(tr("Patience (0 = off)"), "patience", 0, 100000, &TrainingSettings::patience);
    addBool(tr("Class weights"), "classWeights", &TrainingSettings::classWeights);
    addBool(tr("Balanced sampler"), "weightedSampler", &TrainingSettings::weightedSampler);
    addReal(tr("Modality dropout"), "modalityDropout", 0, 0.95, 2, &TrainingSettings::modalityDropout);
    addChoice(tr("Mixed precision"), "mixedPrecision",
              {{tr("off (float32)"), "off"}, {tr("float16 (CUDA)"), "float16"}, {tr("bfloat16 (CUDA)"), "bfloat16"}},
              &TrainingSettings::mixedPrecision);
    addChoice(tr("Device"), "device", {{tr("automatic"), "auto"}, {tr("CPU"), "cpu"}, {tr("GPU (CUDA)"), "cuda"}}, &TrainingSettings::device);
    addInt(tr("CPU threads (0 = all)"), "threads", 0, 1024, &TrainingSettings::threads);
}

} // namespace gui
} // namespace fuselab
