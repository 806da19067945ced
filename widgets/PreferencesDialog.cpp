// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/PreferencesDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

PreferencesDialog::PreferencesDialog(QWidget *parent)
    : QDialog(parent), m_device(new QComboBox(this)), m_language(new QComboBox(this)), m_threads(new QSpinBox(this))
{
    setWindowTitle(tr("Preferences"));
    m_device->addItem(tr("Automatic (a GPU when there is one)"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("GPU (CUDA)"), QStringLiteral("cuda"));
    m_device->setCurrentIndex(std::max(0, m_device->findData(device())));
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(threads());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(language())));
    auto *form = new QFormLayout;
    form->addRow(tr("Training device"), m_device);
    form->addRow(tr("CPU threads"), m_threads);
    form->addRow(tr("Language"), m_language);
    auto *note = new QLabel(tr("A new language applies the next time FuseLab starts."));
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &PreferencesDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(note);
    v->addWidget(buttons);
}

void PreferencesDialog::accept()
{
    QSettings s;
    s.setValue(QStringLiteral("preferences/device"), m_device->currentData());
    s.setValue(QStringLiteral("preferences/threads"), m_threads->value());
    s.setValue(QStringLiteral("preferences/language"), m_language->currentData());
    QDialog::accept();
}

QString PreferencesDialog::language()
{
    const QString fallback = QLocale::system().name().startsWith(QLatin1String("zh")) ? QStringLiteral("zh_CN") : QStringLiteral("en");
    return QSettings().value(QStringLiteral("preferences/language"), fallback).toString();
}

QString PreferencesDialog::device() { return QSettings().value(QStringLiteral("preferences/device"), QStringLiteral("auto")).toString(); }

int PreferencesDialog::threads() { return QSettings().value(QStringLiteral("preferences/threads"), 0).toInt(); }

} // namespace gui
} // namespace fuselab
