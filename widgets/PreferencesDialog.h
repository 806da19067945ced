// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QDialog>

class QComboBox;
class QSpinBox;

namespace fuselab {
namespace gui {

// Device, CPU threads and language, kept in QSettings. A new language applies when
// FuseLab starts again (the dialog says so).
class PreferencesDialog final : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget *parent = nullptr);
    void accept() override;

    static QString language();   // "en" or "zh_CN"; default from the system locale
    static QString device();     // "auto", "cpu", "cuda"
    static int threads();        // 0 = all

private:
    QComboBox *m_device, *m_language;
    QSpinBox *m_threads;
};

} // namespace gui
} // namespace fuselab
