// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace fuselab {
namespace gui {

class BackgroundTask;

// File → Export trained model: a run's best checkpoint written for other tools (core's
// exportRun, off the GUI thread): the formats to write, the folder, and what happened.
class ExportDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const QString &runDir, QWidget *parent = nullptr);
    QLineEdit *folder() const { return m_folder; }
    QCheckBox *safetensors() const { return m_safetensors; }
    QCheckBox *torchScript() const { return m_torchScript; }
    QCheckBox *onnx() const { return m_onnx; }
    QCheckBox *pytorch() const { return m_python; }
    QPushButton *exportButton() const { return m_export; }
    QLabel *status() const { return m_status; }
    bool isExporting() const;
    // Starts the export (what the Export button does); false when it cannot start.
    bool startExport();
    // Closing while it exports hides the dialog; it goes when the export ends (and says so).
    void reject() override;

Q_SIGNALS:
    void exported(const QString &folder);
    void failed(const QString &message);

private:
    QString m_run;
    QLineEdit *m_folder;
    QCheckBox *m_safetensors, *m_torchScript, *m_onnx, *m_python;
    QPushButton *m_export;
    QLabel *m_status;
    BackgroundTask *m_task;
    bool m_closeWhenDone = false;
};

} // namespace gui
} // namespace fuselab
