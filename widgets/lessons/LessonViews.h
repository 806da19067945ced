// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the lesson window's pages and its report share: colours, number formats, table
// cells, run and remedy names, plot layout, the page frame (widgets/lessons/).
#include <QColor>
#include <QFont>
#include <QImage>
#include <QString>

#include <string>

class QCustomPlot;
class QLabel;
class QTabWidget;
class QTableWidget;
class QTableWidgetItem;
class QTextBrowser;
class QWidget;

namespace fuselab {
struct Experiment;
struct LessonRun;
namespace gui {

QColor colour(int i);                 // the lessons' palette, one colour per run
QString pct(double v);                // "92.0%"
QTableWidgetItem *cell(const QString &text, bool number = false);
QString statusName(const std::string &status); // a run's status, translated
QString remedyName(const std::string &remedy); // an imbalance remedy, translated
QString runName(const LessonRun &r);  // "image only", or the fusion's name
QString esc(const QString &s);        // HTML-escaped
QString pngData(const QImage &image); // a data: URL for the HTML report
void legendAboveBars(QCustomPlot *plot);
QString htmlTable(const QTableWidget *t, const QString &id);
QImage graphPicture(const Experiment &experiment);
QFont verdictFont(QFont f);           // the window's font, a quarter larger and bold
// A lesson page's layout: its choices, the verdict and the plots and tables on the left, the
// classroom explanation on the right.
void layoutLessonPage(QWidget *page, QWidget *choices, QLabel *verdict, QWidget *body, QTextBrowser *explanation);
// A plot's axes, legend and titles in `font` (titles bold).
void setPlotFonts(QCustomPlot *plot, const QFont &font);

} // namespace gui
} // namespace fuselab
