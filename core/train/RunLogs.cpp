// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/RunLogs.h"

#include "core/formats/TensorBoard.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"
#ifdef FUSELAB_WITH_INGEST
#include "core/media/ConfusionImage.h"
#endif

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace fuselab {

namespace fs = std::filesystem;

namespace {

void appendLine(const std::string &file, const std::string &line)
{
    std::ofstream out(file, std::ios::app);
    out << line << '\n';
    out.flush();
    if (!out)
        throw Error("cannot write " + file);
}

} // namespace

void EventLog::note(nlohmann::json e)
{
    e["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    appendLine(m_file, e.dump());
}

void EventLog::runStarted(const RunPlan &plan)
{
    note({{"event", "run_started"}, {"run_dir", plan.runDir}, {"device", plan.device}, {"threads", plan.threads},
          {"train_samples", plan.trainSamples}, {"val_samples", plan.valSamples}, {"test_samples", plan.testSamples},
          {"parameters", plan.parameters}, {"epochs", plan.epochs}, {"steps_per_epoch", plan.stepsPerEpoch},
          {"start_epoch", plan.startEpoch}, {"start_step", plan.startStep}, {"seed", plan.seed},
          {"selected_by", plan.selectionMetric}, {"notice", plan.notice}, {"world_size", plan.worldSize},
          {"mixed_precision", plan.mixedPrecision}});
    if (!plan.dataIssues.empty()) { // the first 200 of them, and how many there were
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < plan.dataIssues.size() && i < 200; ++i)
            list.push_back(plan.dataIssues[i].toString());
        note({{"event", "data_issues"}, {"count", plan.dataIssues.size()}, {"issues", list}});
    }
}

void EventLog::epochEnded(const EpochResult &r)
{
    nlohmann::json e = {{"event", "epoch_end"}, {"epoch", r.epoch}, {"train_loss", r.trainLoss}, {"val_loss", r.valLoss},
                        {"val_accuracy", r.val.accuracy}, {"val_macro_f1", r.val.macroF1}, {"best", r.best},
                        {"confusion", r.val.confusionJson()}, {"samples_per_second", r.samplesPerSecond}};
    if (r.val.regression) {
        e.erase("val_accuracy");
        e.erase("val_macro_f1");
        e.erase("confusion");
        for (const char *k : {"mae", "rmse", "pearson", "r2"})
            e[std::string("val_") + k] = r.val.value(k);
    }
    if (r.val.sequence) {
        e.erase("val_accuracy");
        e.erase("val_macro_f1");
        e.erase("confusion");
        for (const char *k : {"bleu", "chrf", "exact_match", "wer", "cer"})
            e[std::string("val_") + k] = r.val.value(k);
    }
    note(e);
}

void EventLog::earlyStopped(int epoch, const std::string &reason)
{
    note({{"event", "early_stop"}, {"epoch", epoch}, {"reason", reason}});
}

void EventLog::finished(const TrainingReport &report) { note({{"event", report.stopped ? "stopped" : "finished"}}); }

void EventLog::failed(const std::string &message) { note({{"event", "failed"}, {"message", message}}); }

std::string MetricsTable::header() const
{
    return std::string("epoch,train_loss,val_loss,val_accuracy,val_macro_f1,learning_rate,samples_per_second,seconds") +
           (m_regression ? ",val_mae,val_rmse,val_pearson,val_r2" : "") + (m_sequence ? ",val_bleu,val_chrf,val_exact_match,val_wer,val_cer" : "");
}

void MetricsTable::keepEpochsUpTo(int epoch, const std::string &lastRow) const
{
    if (!fs::exists(m_file))
        return;
    std::ifstream in(m_file);
    std::string line, kept;
    bool haveLast = false;
    while (std::getline(in, line)) {
        const int e = line.empty() || !std::isdigit(static_cast<unsigned char>(line[0])) ? 0 : std::stoi(line);
        if (e == 0 || e <= epoch)
            kept += line + "\n";
        haveLast = haveLast || e == epoch;
    }
    if (!haveLast && epoch > 0 && !lastRow.empty())
        kept += lastRow + "\n";
    writeFileAtomically(m_file, kept);
}

void MetricsTable::createIfMissing() const
{
    if (!fs::exists(m_file))
        writeFileAtomically(m_file, header() + "\n");
}

void MetricsTable::epochEnded(const EpochResult &r)
{
    appendLine(m_file, row(r));
}

std::string MetricsTable::row(const EpochResult &r) const
{
    std::ostringstream row;
    row.precision(8);
    row << r.epoch << ',' << r.trainLoss << ',' << r.valLoss << ',' << r.val.accuracy << ',' << r.val.macroF1 << ',' << r.learningRate
        << ',' << r.samplesPerSecond << ',' << r.seconds;
    if (m_regression)
        row << ',' << r.val.numbers.mae << ',' << r.val.numbers.rmse << ',' << r.val.numbers.pearson << ',' << r.val.numbers.r2;
    if (m_sequence)
        row << ',' << r.val.text.bleu << ',' << r.val.text.chrf << ',' << r.val.text.exactMatch << ',' << r.val.text.wer << ',' << r.val.text.cer;
    return row.str();
}

TensorBoardLog::TensorBoardLog(std::string dir, nlohmann::json settings) : m_dir(std::move(dir)), m_settings(std::move(settings)) {}

TensorBoardLog::~TensorBoardLog() = default;

void TensorBoardLog::runStarted(const RunPlan &plan)
{
    m_writer = std::make_unique<EventFileWriter>(m_dir);
    m_stepsPerEpoch = plan.stepsPerEpoch;
    m_classes = plan.classes;
    nlohmann::json flat = nlohmann::json::object();
    std::function<void(const std::string &, const nlohmann::json &)> add = [&](const std::string &prefix, const nlohmann::json &v) {
        if (v.is_object())
            for (auto it = v.begin(); it != v.end(); ++it)
                add(prefix.empty() ? it.key() : prefix + "." + it.key(), it.value());
        else if (v.is_primitive() && !v.is_null())
            flat[prefix] = v;
    };
    add("", m_settings);
    flat["parameters"] = plan.parameters;
    flat["device"] = plan.device;
    m_writer->hparams(flat);
    m_writer->flush();
}

void TensorBoardLog::batchEnded(const BatchEvent &b)
{
    if (!m_writer)
        return;
    const std::int64_t globalStep = (b.epoch - 1) * m_stepsPerEpoch + b.step;
    m_writer->scalar("batch/train_loss", b.loss, globalStep);
    m_writer->scalar("batch/learning_rate", b.learningRate, globalStep);
}

void TensorBoardLog::epochEnded(const EpochResult &r)
{
    if (!m_writer)
        return;
    m_writer->scalar("epoch/train_loss", r.trainLoss, r.epoch);
    if (r.hasValidation) {
        m_writer->scalar("epoch/val_loss", r.valLoss, r.epoch);
        if (r.val.regression) {
            for (const char *k : {"mae", "rmse", "pearson", "r2"})
                m_writer->scalar(std::string("epoch/val_") + k, r.val.value(k), r.epoch);
        } else if (r.val.sequence) {
            for (const char *k : {"bleu", "chrf", "exact_match", "wer", "cer"})
                m_writer->scalar(std::string("epoch/val_") + k, r.val.value(k), r.epoch);
        } else {
            m_writer->scalar("epoch/val_accuracy", r.val.accuracy, r.epoch);
            m_writer->scalar("epoch/val_macro_f1", r.val.macroF1, r.epoch);
        }
    }
    m_writer->scalar("epoch/learning_rate", r.learningRate, r.epoch);
    m_writer->scalar("epoch/samples_per_second", r.samplesPerSecond, r.epoch);
#ifdef FUSELAB_WITH_INGEST
    if (r.hasValidation && !r.val.multiLabel && !r.val.regression && !r.val.sequence && m_classes.size() <= 100) { // beyond, an image per epoch is too big to help
        const PngImage png = confusionMatrixPng(r.val.single.confusion, m_classes);
        m_writer->image("val/confusion_matrix", png.bytes, png.height, png.width, r.epoch);
    }
#endif
    m_writer->flush();
}

void TensorBoardLog::finished(const TrainingReport &report)
{
    if (!m_writer)
        return;
    if (report.test && report.test->regression) {
        for (const char *k : {"mae", "rmse", "pearson", "r2"})
            m_writer->scalar(std::string("test/") + k, report.test->value(k), report.bestEpoch);
    } else if (report.test && report.test->sequence) {
        for (const char *k : {"bleu", "chrf", "exact_match", "wer", "cer"})
            m_writer->scalar(std::string("test/") + k, report.test->value(k), report.bestEpoch);
    } else if (report.test) {
        m_writer->scalar("test/accuracy", report.test->accuracy, report.bestEpoch);
        m_writer->scalar("test/macro_f1", report.test->macroF1, report.bestEpoch);
    }
    m_writer->flush();
}

void ReportFile::finished(const TrainingReport &report) { writeFileAtomically(m_file, report.toJson().dump(2) + "\n"); }

void ObserverChain::failed(const std::string &message)
{
    for (TrainingObserver *s : m_sinks) {
        try {
            s->failed(message); // a log that cannot be written must not hide the failure
        } catch (...) {
        }
    }
    m_control.failed(message);
}

} // namespace fuselab
