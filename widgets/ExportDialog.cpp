// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ExportDialog.h"

#include "core/document/RunFolder.h"
#include "core/export/Export.h"
#include "core/project/Services.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"

#include <QCheckBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

ExportDialog::ExportDialog(const QString &runDir, QWidget *parent)
    : QDialog(parent), m_run(runDir), m_folder(new QLineEdit(this)), m_safetensors(new QCheckBox(tr("Weights (safetensors), with the experiment"), this)),
      m_torchScript(new QCheckBox(tr("TorchScript module (torch.jit.load in Python, torch::jit::load in C++)"), this)),
      m_onnx(new QCheckBox(tr("ONNX model (ONNX Runtime; OpenCV's dnn for image models)"), this)),
      m_python(new QCheckBox(tr("PyTorch code (model.py and train.py, for torchrun) with the weights"), this)), m_export(new QPushButton(tr("Export"), this)), m_status(new QLabel(this)), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export trained model"));
    m_safetensors->setChecked(true);
    m_torchScript->setChecked(true);
    m_onnx->setChecked(true);
    m_python->setChecked(false);
    m_folder->setText(QDir(QFileInfo(runDir).absolutePath()).filePath(QFileInfo(runDir).fileName() + QStringLiteral("-export")));
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into"), QFileInfo(m_folder->text()).absolutePath());
        if (!dir.isEmpty())
            m_folder->setText(QDir(dir).filePath(QFileInfo(m_run).fileName() + QStringLiteral("-export")));
    });
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("Run"), new QLabel(QDir::toNativeSeparators(runDir), this));
    form->addRow(tr("Folder"), folderRow);
    auto *formats = new QVBoxLayout;
    for (QCheckBox *c : {m_safetensors, m_torchScript, m_onnx, m_python})
        formats->addWidget(c);
    form->addRow(tr("Formats"), formats);
    m_status->setWordWrap(true);
    m_status->setText(tr("The folder gets the chosen files, preprocessing.json (how raw files become the model's inputs) and a README. "
                         "It is written whole or not at all."));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_export, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    disconnect(buttons, &QDialogButtonBox::accepted, nullptr, nullptr);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::startExport);
    auto *v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(m_status);
    v->addWidget(buttons);
    connect(m_task, &BackgroundTask::progress, this, [this](const QString &stage, qint64 done, qint64 total) {
        m_status->setText(stage == QLatin1String("exporting") ? tr("Exporting… %1 of %2 formats").arg(done).arg(total)
                                                              : tr("Rebuilding the run's tensor cache: %1 of %2").arg(done).arg(total));
    });
    resize(640, sizeHint().height());
}

bool ExportDialog::isExporting() const { return m_task->isRunning(); }

void ExportDialog::reject()
{
    if (isExporting()) { // the export finishes in the background; the window's log says how it ended
        m_closeWhenDone = true;
        hide();
        return;
    }
    QDialog::reject();
}

bool ExportDialog::startExport()
{
    if (isExporting())
        return false;
    ExportRequest r;
    r.runDir = m_run.toStdString();
    r.outDir = m_folder->text().trimmed().toStdString();
    if (m_safetensors->isChecked())
        r.formats.push_back("safetensors");
    if (m_torchScript->isChecked())
        r.formats.push_back("torchscript");
    if (m_onnx->isChecked())
        r.formats.push_back("onnx");
    if (m_python->isChecked())
        r.formats.push_back("pytorch");
    if (r.formats.empty()) {
        m_status->setText(tr("Choose at least one format."));
        return false;
    }
    if (r.outDir.empty()) {
        m_status->setText(tr("Choose the folder to export into."));
        return false;
    }
    const QString out = QDir::cleanPath(m_folder->text().trimmed());
    if (QFileInfo(out).isDir() && !QDir(out).isEmpty()) {
        m_status->setText(tr("%1 already exists and is not empty: choose another folder.").arg(QDir::toNativeSeparators(out)));
        return false;
    }
    m_export->setEnabled(false);
    m_status->setText(tr("Exporting…"));
    auto error = std::make_shared<QString>();
    connect(m_task, &BackgroundTask::finished, this, [this, out, error](bool ok, bool, const QString &why) {
        m_export->setEnabled(true);
        if (ok && error->isEmpty()) {
            m_status->setText(tr("Exported to %1.").arg(QDir::toNativeSeparators(out)));
            Q_EMIT exported(out);
        } else {
            const QString text = error->isEmpty() ? why : *error;
            m_status->setText(tr("The export failed: %1").arg(text));
            Q_EMIT failed(text);
        }
        if (m_closeWhenDone)
            QDialog::reject();
    }, Qt::SingleShotConnection);
    return m_task->start([r, error](ProgressObserver &observer) {
        try {
            ensureRunCache(RunFolder(r.runDir), &observer); // a deleted cache is rebuilt first
            exportRun(r, &observer);
        } catch (const Error &e) {
            *error = translated(messageOf(e)); // read on the GUI thread only after the work has returned
        }
    });
}

} // namespace gui
} // namespace fuselab
