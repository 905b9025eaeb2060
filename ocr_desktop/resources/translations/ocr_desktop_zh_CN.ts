<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ApiSwitch</name>
    <message>
        <location filename="../../gui/api_switch.py" line="49"/>
        <source>API server</source>
        <translation>API 服务器</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="74"/>
        <source>The API server did not start: {reason}</source>
        <translation>API 服务器未能启动：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="79"/>
        <source>API: {host}:{port}</source>
        <translation>API：{host}:{port}</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="81"/>
        <source>Serving GLM-OCR&apos;s API at {url} (Settings → Server)</source>
        <translation>正在 {url} 提供 GLM-OCR 的 API（设置 → 服务器）</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="102"/>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="103"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="104"/>
        <source>Copy the access token</source>
        <translation>复制访问令牌</translation>
    </message>
    <message>
        <location filename="../../gui/api_switch.py" line="108"/>
        <source>Clients send it as &apos;Authorization: Bearer TOKEN&apos; (GLM-OCR&apos;s SDK: api_key). Required on any address but 127.0.0.1.</source>
        <translation>客户端以 “Authorization: Bearer TOKEN” 发送它（GLM-OCR 的 SDK：api_key）。除 127.0.0.1 外的任何地址都需要它。</translation>
    </message>
</context>
<context>
    <name>BackendStatus</name>
    <message>
        <location filename="../../gui/backend_status.py" line="40"/>
        <source>Backend state</source>
        <translation>后端状态</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="42"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="44"/>
        <source>Backend loading progress</source>
        <translation>后端加载进度</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="51"/>
        <source>loads when the first page is read</source>
        <translation>识别第一页时加载</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="55"/>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="56"/>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="57"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="58"/>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="97"/>
        <source>{elapsed:.0f} s of about {expected:.0f} s</source>
        <translation>{elapsed:.0f} 秒 / 约 {expected:.0f} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/backend_status.py" line="103"/>
        <source>{elapsed:.0f} s (first load: no earlier time to compare)</source>
        <translation>{elapsed:.0f} 秒（首次加载，无可参照的时间）</translation>
    </message>
</context>
<context>
    <name>BackendSwitcher</name>
    <message>
        <location filename="../../gui/backend_switcher.py" line="74"/>
        <source>Not switching to {backend}, the current backend keeps running: {reason}</source>
        <translation>未切换到 {backend}，当前后端继续运行：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="103"/>
        <source>The new language applies the next time OCR Desktop starts.</source>
        <translation>新的界面语言将在下次启动 OCR Desktop 时生效。</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="107"/>
        <source>switching backend</source>
        <translation>正在切换后端</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="121"/>
        <source>{failed} could not be loaded, so {kept} keeps reading: {message}</source>
        <translation>无法加载 {failed}，继续由 {kept} 识别：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="133"/>
        <source>Switch backend</source>
        <translation>切换后端</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="134"/>
        <source>A page is being read. Finish it with the current backend before switching?</source>
        <translation>正在识别一个页面。切换前先用当前后端完成它吗？</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="135"/>
        <source>Finish the Page First</source>
        <translation>先完成本页</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="136"/>
        <source>Cancel the Page</source>
        <translation>取消本页</translation>
    </message>
    <message>
        <location filename="../../gui/backend_switcher.py" line="147"/>
        <source>The settings could not be saved: {error}. They apply until you quit.</source>
        <translation>无法保存设置：{error}。这些设置在退出前有效。</translation>
    </message>
</context>
<context>
    <name>Backends</name>
    <message>
        <location filename="../../../build/settings_strings.py" line="120"/>
        <source>llama.cpp (in-process)</source>
        <translation>llama.cpp（进程内）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="121"/>
        <source>vLLM (server)</source>
        <translation>vLLM（服务器）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="122"/>
        <source>PP-OCRv6 (lite)</source>
        <translation>PP-OCRv6（轻量）</translation>
    </message>
</context>
<context>
    <name>Catalog</name>
    <message>
        <location filename="../../../build/settings_strings.py" line="123"/>
        <source>GLM-OCR 8-bit GGUF + 8-bit vision projector (recommended for llama.cpp)</source>
        <translation>GLM-OCR 8 位 GGUF + 8 位视觉投影器（llama.cpp 推荐）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="124"/>
        <source>GLM-OCR 16-bit GGUF + 16-bit vision projector (reference precision, ~2x the memory)</source>
        <translation>GLM-OCR 16 位 GGUF + 16 位视觉投影器（参考精度，内存约为两倍）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="125"/>
        <source>GLM-OCR BF16 transformers checkpoint, served by vLLM</source>
        <translation>GLM-OCR BF16 transformers 检查点，由 vLLM 提供服务</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="126"/>
        <source>PP-DocLayoutV3 layout model, PaddlePaddle&apos;s own ONNX export (the GLM-OCR SDK&apos;s layout)</source>
        <translation>PP-DocLayoutV3 版面分析模型，PaddlePaddle 官方 ONNX 导出（GLM-OCR SDK 的版面分析）</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <location filename="../../gui/compare.py" line="83"/>
        <source>Compare backends on this device</source>
        <translation>在本设备上比较后端</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="100"/>
        <source>Pages in flight to measure, comma-separated, starting at 1</source>
        <translation>要测量的同时处理页数，用逗号分隔，从 1 开始</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="101"/>
        <source>Pages per level and round</source>
        <translation>每个级别每轮的页数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="103"/>
        <source>Rounds per level; figures are medians over them</source>
        <translation>每个级别的轮数；结果取各轮的中位数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="105"/>
        <source>Most tokens generated per page</source>
        <translation>每页最多生成的词元数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="120"/>
        <source>page: each request a whole page; layout: each page&apos;s layout regions, each with its own prompt, counted as its share of the page (docs/benchmarks.md)</source>
        <translation>page：每个请求一整页；layout：每页的版面区域各用自己的提示词识别，按其在页面中的占比计入（见 docs/benchmarks.md）</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="129"/>
        <source>Backends</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="130"/>
        <source>Pages in flight</source>
        <translation>同时处理的页数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="131"/>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="132"/>
        <source>Rounds</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="133"/>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="134"/>
        <source>Pixel budget</source>
        <translation>像素预算</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="135"/>
        <source>Reading mode</source>
        <translation>识别模式</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="137"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="138"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="146"/>
        <source>Runs the same pages through each backend and level; without documents, the bundled sample pages.</source>
        <translation>用每个后端和级别识别相同的页面；未选择文档时使用自带的示例页面。</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="160"/>
        <source>Table</source>
        <translation>表格</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="161"/>
        <source>Pages/min</source>
        <translation>页/分钟</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="162"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="167"/>
        <source>Apply recommendation</source>
        <translation>应用推荐设置</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="198"/>
        <source>pages in flight: write whole numbers separated by commas, e.g. 1,2,4</source>
        <translation>同时处理的页数：请写用逗号分隔的整数，例如 1,2,4</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="247"/>
        <source>Pausing the queue: the page being read finishes first…</source>
        <translation>正在暂停队列：先完成正在识别的页面…</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="259"/>
        <source>the benchmark failed: {kind}: {error} — see the log file</source>
        <translation>基准测试失败：{kind}：{error} — 请查看日志文件</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="269"/>
        <source>Cancelling: the pages in flight finish, then the backend unloads…</source>
        <translation>正在取消：正在处理的页面完成后卸载后端…</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="313"/>
        <source>&lt;b&gt;Recommendation:&lt;/b&gt; {text}</source>
        <translation>&lt;b&gt;推荐：&lt;/b&gt;{text}</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="317"/>
        <source>No backend finished a page: no recommendation.</source>
        <translation>没有后端完成任何页面：无法给出推荐。</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="318"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="318"/>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="320"/>
        <source>{done}. Results in {folder}</source>
        <translation>{done}。结果保存在 {folder}</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="340"/>
        <source>The recommendation could not be applied: {error}</source>
        <translation>无法应用推荐设置：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/compare.py" line="345"/>
        <source>Applied and saved: {settings}</source>
        <translation>已应用并保存：{settings}</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../gui/errors.py" line="154"/>
        <location filename="../../gui/errors.py" line="155"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="158"/>
        <source>Something went wrong inside OCR Desktop: {summary}

The app keeps running, but the last action may not have finished. The details below are also in the log file:
{log}
Please include them when you report the problem.</source>
        <translation>OCR Desktop 内部出错：{summary}

程序仍在运行，但上一个操作可能没有完成。以下详细信息也已写入日志文件：
{log}
报告问题时请附上这些信息。</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="169"/>
        <source>Traceback</source>
        <translation>回溯信息</translation>
    </message>
</context>
<context>
    <name>DocumentIntake</name>
    <message>
        <location filename="../../gui/drop_zone.py" line="66"/>
        <source>Open Documents</source>
        <extracomment>What File → Open lists.</extracomment>
        <translation>打开文档</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="68"/>
        <source>Documents ({patterns});;All files (*)</source>
        <translation>文档 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="75"/>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="84"/>
        <source>The clipboard holds no image or file. Copy an image (or files) first, then paste.</source>
        <translation>剪贴板中没有图片或文件。请先复制图片（或文件），再粘贴。</translation>
    </message>
</context>
<context>
    <name>DocumentLoader</name>
    <message>
        <location filename="../../gui/document_loader.py" line="85"/>
        <source>The document cannot be shown: {error}</source>
        <translation>无法显示该文档：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/document_loader.py" line="95"/>
        <source>Your edit of page {n} was not kept: {error}</source>
        <translation>第 {n} 页的修改未能保存：{error}</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <location filename="../../gui/drop_zone.py" line="141"/>
        <source>Drop documents here</source>
        <translation>将文档拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="148"/>
        <source>Drop PDFs, images or folders here</source>
        <translation>将 PDF、图片或文件夹拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="154"/>
        <source>or paste an image with Ctrl+V. Every page is read by GLM-OCR on this machine.</source>
        <translation>或用 Ctrl+V 粘贴图片。每一页都由本机上的 GLM-OCR 识别。</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="158"/>
        <source>Open Files…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="159"/>
        <source>Choose documents to read (Ctrl+O)</source>
        <translation>选择要识别的文档 (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="160"/>
        <source>Open files</source>
        <translation>打开文件</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../gui/export_dialog.py" line="50"/>
        <source>Saved 1 file to {folder}</source>
        <translation>已将 1 个文件保存到 {folder}</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="52"/>
        <source>Saved {count} files to {folder}</source>
        <translation>已将 {count} 个文件保存到 {folder}</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="57"/>
        <source>{count} file(s) were already up to date</source>
        <translation>{count} 个文件已是最新</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="64"/>
        <source>{count} file(s) could not be written: {reasons}</source>
        <translation>{count} 个文件无法写入：{reasons}</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="70"/>
        <source>Export cancelled: the other files were not written</source>
        <translation>导出已取消：其余文件未写入</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="73"/>
        <source>Nothing was exported: the documents have no finished pages.</source>
        <translation>未导出任何内容：这些文档没有已完成的页面。</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="96"/>
        <location filename="../../gui/export_dialog.py" line="123"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="102"/>
        <source>Documents to export</source>
        <translation>要导出的文档</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="129"/>
        <source>Documents with finished pages:</source>
        <translation>有已完成页面的文档：</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="172"/>
        <source>Tick at least one document.</source>
        <translation>请至少勾选一个文档。</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="175"/>
        <source>Tick at least one format.</source>
        <translation>请至少勾选一种格式。</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="217"/>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
</context>
<context>
    <name>GaugePanel</name>
    <message>
        <location filename="../../gui/gauges.py" line="470"/>
        <source>Resource gauges</source>
        <translation>资源仪表</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="484"/>
        <source>{0} history</source>
        <translation>{0} 历史</translation>
    </message>
</context>
<context>
    <name>GaugeStrip</name>
    <message>
        <location filename="../../gui/gauges.py" line="528"/>
        <source>Resource gauges (compact)</source>
        <translation>资源仪表（紧凑）</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../gui/history_dialog.py" line="33"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="35"/>
        <source>Documents read earlier</source>
        <translation>以前识别过的文档</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="39"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="39"/>
        <source>Added</source>
        <translation>添加时间</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="39"/>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="39"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="58"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="59"/>
        <source>Reading</source>
        <translation>识别中</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="60"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="61"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="62"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="63"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="44"/>
        <source>Show in Queue</source>
        <translation>显示在队列中</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="45"/>
        <source>Put the document back on the queue and show its pages</source>
        <translation>将文档放回队列并显示其页面</translation>
    </message>
</context>
<context>
    <name>LiteReading</name>
    <message>
        <location filename="../../gui/lite.py" line="109"/>
        <source>GLM-OCR is installed. {pages} page(s) were read with PP-OCRv6 (lite), which reads plain lines only.</source>
        <extracomment>True while the pipeline reads with the lite engine because GLM-OCR is missing.</extracomment>
        <translation>GLM-OCR 已安装。有 {pages} 页是用 PP-OCRv6（轻量）识别的，它只能识别纯文本行。</translation>
    </message>
    <message>
        <location filename="../../gui/lite.py" line="113"/>
        <source>Read Them Again with GLM-OCR</source>
        <translation>用 GLM-OCR 重新识别</translation>
    </message>
    <message>
        <location filename="../../gui/lite.py" line="132"/>
        <source>Read with PP-OCRv6 (lite)</source>
        <translation>改用 PP-OCRv6（轻量）识别</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <location filename="../../gui/log_view.py" line="22"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="281"/>
        <source>Pages per minute</source>
        <extracomment>Rows the queue shows in a window opened for the first time (its default size).</extracomment>
        <translation>每分钟页数</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="282"/>
        <source>Pages read per minute, over the last ten pages</source>
        <translation>最近十页的每分钟识别页数</translation>
    </message>
    <message>
        <location filename="../../gui/window_docks.py" line="30"/>
        <location filename="../../gui/window_docks.py" line="32"/>
        <source>Gauges</source>
        <translation>仪表</translation>
    </message>
    <message>
        <location filename="../../gui/window_docks.py" line="37"/>
        <source>Show or hide the memory and GPU gauges (F9)</source>
        <translation>显示或隐藏内存和 GPU 仪表 (F9)</translation>
    </message>
    <message>
        <location filename="../../gui/window_docks.py" line="47"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../gui/window_docks.py" line="56"/>
        <source>Show or hide the last lines of the log (F12)</source>
        <translation>显示或隐藏最近的日志 (F12)</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="76"/>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="95"/>
        <source>Exporting… {percent}% of the pages done</source>
        <translation>正在导出… 已完成 {percent}% 的页面</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="98"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="104"/>
        <source>Stopping the export…</source>
        <translation>正在停止导出…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="493"/>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="493"/>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="37"/>
        <source>About OCR Desktop</source>
        <translation>关于 OCR Desktop</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="457"/>
        <source>No model is installed, so documents cannot be read yet. Download it or choose model files above; the documents waiting are read then.</source>
        <translation>尚未安装模型，暂时无法识别文档。请在上方下载模型或选择模型文件；之后等待中的文档会自动识别。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="467"/>
        <source>The backend could not be loaded: {message}
Check Edit → Settings, then press Retry (Ctrl+R).</source>
        <translation>无法加载后端：{message}
请检查“编辑 → 设置”，然后按“重试”(Ctrl+R)。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="476"/>
        <source>The model is installed.</source>
        <translation>模型已安装。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="506"/>
        <source>No page of this document is being read.</source>
        <translation>此文档当前没有正在识别的页面。</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="38"/>
        <source>&lt;b&gt;OCR Desktop {version}&lt;/b&gt;&lt;p&gt;Reads documents with GLM-OCR on llama.cpp or vLLM, on NVIDIA Jetson and any Linux machine.&lt;/p&gt;&lt;p&gt;Log file: {log}&lt;/p&gt;</source>
        <translation>&lt;b&gt;OCR Desktop {version}&lt;/b&gt;&lt;p&gt;在 NVIDIA Jetson 和任何 Linux 计算机上，用 llama.cpp 或 vLLM 运行 GLM-OCR 识别文档。&lt;/p&gt;&lt;p&gt;日志文件：{log}&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="649"/>
        <source>{rate:.1f} pages/min</source>
        <translation>{rate:.1f} 页/分钟</translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <location filename="../../gui/model_panel.py" line="90"/>
        <source>Model setup</source>
        <extracomment>Why the settings&apos; llama.cpp model cannot be used, or None (touches the disk: call it off the GUI thread). One function for the window and the CLI&apos;s first run. Download progress reaches the GUI at most this often (seconds). The catalog entry of the SDK&apos;s layout model (layout/registry.py reads it from the same place).</extracomment>
        <translation>模型设置</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="108"/>
        <source>Choose Model Files…</source>
        <translation>选择模型文件…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="109"/>
        <source>Use GGUF files you already have (Settings → llama.cpp)</source>
        <translation>使用已有的 GGUF 文件（设置 → llama.cpp）</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="111"/>
        <source>Cancel Download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="116"/>
        <source>Meanwhile, documents are read with PP-OCRv6 (lite), which comes with the app: plain text lines, no tables or formulas. Every page it read says so.</source>
        <extracomment>While GLM-OCR is missing, the lite engine reads (gui/lite.py): said here, beside the offer.</extracomment>
        <translation>在此之前，文档由应用自带的 PP-OCRv6（轻量）识别：只有纯文本行，没有表格和公式。由它识别的每一页都会注明。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="124"/>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="149"/>
        <source>No model is installed yet</source>
        <translation>尚未安装模型</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="152"/>
        <source>OCR Desktop reads documents with the GLM-OCR model and finds their layout with PP-DocLayoutV3, which are not on this computer. Download both ({names}, {size:,.0f} MB) or choose model files you already have.</source>
        <translation>OCR Desktop 使用 GLM-OCR 模型识别文档，并用 PP-DocLayoutV3 检测版面，但这台电脑上还没有这两个模型。请下载它们（{names}，{size:,.0f} MB），或选择已有的模型文件。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="158"/>
        <source>OCR Desktop reads documents with the GLM-OCR model, which is not on this computer. Download it ({name}, {size:,.0f} MB) or choose model files you already have.</source>
        <translation>OCR 桌面使用 GLM-OCR 模型识别文档，但本机尚无该模型。请下载（{name}，{size:,.0f} MB），或选择已有的模型文件。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="163"/>
        <source>Download ({size:,.0f} MB)</source>
        <translation>下载（{size:,.0f} MB）</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="184"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="187"/>
        <source>Downloading {name}…</source>
        <translation>正在下载 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="205"/>
        <source>Download cancelled</source>
        <translation>下载已取消</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="207"/>
        <source>What was downloaded is kept; Download continues from there.</source>
        <translation>已下载的部分会保留，再次下载时从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="217"/>
        <source>{file}: {done:,.1f} of {total:,.1f} MB · {speed:,.1f} MB/s</source>
        <translation>{file}：{done:,.1f} / {total:,.1f} MB · {speed:,.1f} MB/s</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="236"/>
        <source>The download failed</source>
        <translation>下载失败</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../gui/errors.py" line="89"/>
        <source>Notice</source>
        <extracomment>The translation context of the core&apos;s :class:`~ocr_desktop.messages.Message` templates.</extracomment>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="97"/>
        <source>Dismiss this message</source>
        <translation>关闭此消息</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="98"/>
        <source>Dismiss message</source>
        <translation>关闭消息</translation>
    </message>
</context>
<context>
    <name>PageView</name>
    <message>
        <location filename="../../gui/page_view.py" line="37"/>
        <source>Page image</source>
        <extracomment>Layout region boxes on the page, coloured by kind (the label table&apos;s action).</extracomment>
        <translation>页面图像</translation>
    </message>
    <message>
        <location filename="../../gui/page_view.py" line="38"/>
        <source>The page as the model saw it. Ctrl+wheel zooms.</source>
        <translation>模型看到的页面。Ctrl+滚轮可缩放。</translation>
    </message>
</context>
<context>
    <name>QueueController</name>
    <message>
        <location filename="../../gui/queue_controller.py" line="133"/>
        <source>No documents found there. OCR Desktop reads PDF, PNG, JPEG, WebP, BMP, GIF and TIFF.</source>
        <extracomment>True until the queue is read back from the store and unfinished documents resumed.</extracomment>
        <translation>那里没有找到文档。OCR Desktop 支持 PDF、PNG、JPEG、WebP、BMP、GIF 和 TIFF。</translation>
    </message>
    <message>
        <location filename="../../gui/queue_controller.py" line="183"/>
        <source>Remove documents</source>
        <translation>移除文档</translation>
    </message>
    <message>
        <location filename="../../gui/queue_controller.py" line="185"/>
        <source>Remove this document and its recognised text? This cannot be undone.</source>
        <translation>移除此文档及其识别文字？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../gui/queue_controller.py" line="187"/>
        <source>Remove {count} documents and their recognised text? This cannot be undone.</source>
        <translation>移除 {count} 个文档及其识别文字？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../gui/queue_view.py" line="238"/>
        <source>Waiting for the model</source>
        <translation>等待模型</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="122"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="123"/>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="124"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="125"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="126"/>
        <source>Elapsed</source>
        <translation>用时</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="127"/>
        <source>tok/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="165"/>
        <source>Time spent reading this document&apos;s pages; waiting and pauses do not count</source>
        <translation>识别此文档各页所用的时间；等待和暂停不计入</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="168"/>
        <source>Tokens per second while writing: the tokens after the first, divided by the time after the first token, over the finished pages (as on each page)</source>
        <translation>生成时每秒词元数：已完成页面中第一个词元之后的词元数，除以第一个词元之后的时间（与各页的算法相同）</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="187"/>
        <source>Page {n}: {message}</source>
        <translation>第 {n} 页：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="290"/>
        <location filename="../../gui/queue_view.py" line="214"/>
        <location filename="../../gui/queue_view.py" line="216"/>
        <location filename="../../gui/queue_view.py" line="219"/>
        <source>Paused</source>
        <extracomment>Where the gauge strip goes (the gauges are their own widget, see _install_gauges).</extracomment>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="214"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="219"/>
        <source>Starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="223"/>
        <source>Reading page {n} · {deltas} pieces of text</source>
        <translation>正在识别第 {n} 页 · {deltas} 段文本</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="227"/>
        <source>Reading pages {pages} · {deltas} pieces of text</source>
        <translation>正在识别第 {pages} 页 · {deltas} 段文本</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="233"/>
        <source>Done, 1 page failed</source>
        <translation>完成，1 页失败</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="234"/>
        <source>Done, {count} pages failed</source>
        <translation>完成，{count} 页失败</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="235"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="239"/>
        <source>Failed: {message}</source>
        <translation>失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="241"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <location filename="../../gui/queue_view.py" line="402"/>
        <source>Document queue</source>
        <translation>文档队列</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="403"/>
        <source>Documents in the queue. Drag a row to change the order.</source>
        <translation>队列中的文档。拖动一行可调整顺序。</translation>
    </message>
</context>
<context>
    <name>ReadingView</name>
    <message>
        <location filename="../../gui/reading_view.py" line="134"/>
        <source>Select a document in the queue to see its pages.</source>
        <extracomment>The page whose edit has not been reported yet (the debounce timer may still run, or have fired: the flag, not the timer, says whether an edit is owed). The document shown: its pages (texts, results, regions, the model&apos;s text of edited pages) as the job states keep them; the pages being read and failed are its row&apos;s.</extracomment>
        <translation>在队列中选择一个文档以查看其页面。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="138"/>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="139"/>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="141"/>
        <source>Page number</source>
        <translation>页码</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="142"/>
        <source>Page shown</source>
        <translation>当前显示的页面</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="146"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="147"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="149"/>
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="149"/>
        <source>Fit the page to the width</source>
        <translation>按宽度缩放页面</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="156"/>
        <source>Rendered Markdown</source>
        <translation>渲染后的 Markdown</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="160"/>
        <source>The page as the .md export holds it. Edit it in the Text tab.</source>
        <translation>此页在 .md 导出中的样子。请在“文字”标签页中编辑。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="167"/>
        <source>The Markdown tab is a preview: &lt;a href=&quot;text&quot;&gt;edit the page in the Text tab&lt;/a&gt;.</source>
        <translation>Markdown 标签页只是预览：&lt;a href=&quot;text&quot;&gt;请在“文字”标签页中编辑此页&lt;/a&gt;。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="172"/>
        <source>Recognised text</source>
        <translation>识别出的文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="174"/>
        <source>The recognised text. Edit it once the page is finished; edits are kept.</source>
        <translation>识别出的文字。页面完成后即可编辑，修改会被保存。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="181"/>
        <source>Text views</source>
        <translation>文字视图</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="182"/>
        <source>Markdown</source>
        <translation>Markdown</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="183"/>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="189"/>
        <source>Copy page</source>
        <translation>复制本页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="189"/>
        <source>Copy this page&apos;s text</source>
        <translation>复制本页文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="193"/>
        <source>Copy document</source>
        <translation>复制文档</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="194"/>
        <source>Copy the whole document&apos;s text</source>
        <translation>复制整个文档的文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="199"/>
        <source>Revert page</source>
        <translation>还原本页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="199"/>
        <source>Put the model&apos;s text of this page back</source>
        <translation>恢复模型识别出的本页文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="203"/>
        <source>Page statistics</source>
        <translation>页面统计</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="338"/>
        <location filename="../../gui/reading_view.py" line="345"/>
        <source>of {n}</source>
        <translation>/ {n}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="417"/>
        <source>The page image cannot be shown: {message}</source>
        <translation>无法显示页面图像：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="74"/>
        <source>repetition loop stopped</source>
        <extracomment>Edits are saved this long after the last keystroke. While text streams in, the Markdown tab is re-rendered at most this often.</extracomment>
        <translation>已停止重复循环</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="75"/>
        <source>cut off at the token limit</source>
        <translation>达到词元上限被截断</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="76"/>
        <source>read twice (loop retry)</source>
        <translation>识别了两次（循环重试）</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="77"/>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="78"/>
        <source>table or formula kept as plain lines</source>
        <translation>表格或公式仅保留为纯文本行</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="85"/>
        <source>the model began repeating itself; the text is cut where the loop started</source>
        <translation>模型开始重复输出；文本已在循环开始处截断</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="88"/>
        <source>the text reached the token limit and may be incomplete</source>
        <translation>文本达到了 token 上限，可能不完整</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="91"/>
        <source>a table or formula on this page is given as its text lines, without its structure</source>
        <translation>本页的表格或公式仅以文本行给出，不含其结构</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="96"/>
        <source>read with PP-OCRv6 (lite), the engine that ships with the app, not with GLM-OCR</source>
        <translation>由应用自带的 PP-OCRv6（轻量）引擎识别，而非 GLM-OCR</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="634"/>
        <source>Page {n} failed: {message}</source>
        <translation>第 {n} 页失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="637"/>
        <source>Page {n}: {seconds:.1f} s</source>
        <translation>第 {n} 页：{seconds:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="639"/>
        <source>read with PP-OCRv6 (lite), not GLM-OCR</source>
        <translation>由 PP-OCRv6（轻量）识别，而非 GLM-OCR</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="641"/>
        <source>{rate:.1f} tok/s</source>
        <translation>{rate:.1f} 词元/秒</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="642"/>
        <source>{tokens} tokens</source>
        <translation>{tokens} 个词元</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="646"/>
        <source>⚠ {flags}</source>
        <translation>⚠ {flags}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="649"/>
        <source>{count} regions, layout model {model}</source>
        <translation>{count} 个区域，版面分析模型 {model}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="654"/>
        <source>read whole: {reason}</source>
        <translation>整页识别：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="659"/>
        <source>Page {n}: reading region {k} of {total}…</source>
        <translation>第 {n} 页：正在识别第 {k} 个区域（共 {total} 个）…</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="663"/>
        <source>Page {n}: reading…</source>
        <translation>第 {n} 页：识别中…</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="665"/>
        <source>Page {n}: not read yet</source>
        <translation>第 {n} 页：尚未识别</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../../build/settings_strings.py" line="1"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="4"/>
        <source>Interface language; empty = system language.</source>
        <translation>界面语言；留空则跟随系统语言。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="5"/>
        <source>PDF resolution (DPI)</source>
        <translation>PDF 分辨率 (DPI)</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="6"/>
        <source>Resolution PDF pages are rendered at (images keep their own pixels). 150 DPI keeps body text legible for GLM-OCR while an A4 page (1240×1754 px, 2,774 image tokens) fits the default budget unshrunk; a higher DPI only helps with a higher budget (docs/documents.md).</source>
        <translation>PDF 页面渲染的分辨率（图片保持原有像素）。150 DPI 可让 GLM-OCR 看清正文，同时 A4 页面（1240×1754 像素，2,774 个图像词元）无需缩小即可放入默认预算；只有提高预算时，更高的 DPI 才有帮助（docs/documents.md）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="7"/>
        <source>Pixel budget per page</source>
        <translation>每页像素预算</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="8"/>
        <source>Pixel budget each page is fitted into before it goes to the model (GLM-OCR accepts 12,544 to 9,633,792; one image token = 28×28 px, llama.cpp caps an image at 4096 tokens = 3,211,264 px). The vision encoder dominates the time per page, so a lower budget is faster.</source>
        <translation>每页送入模型前要适配的像素预算（GLM-OCR 接受 12,544 到 9,633,792；一个图像词元 = 28×28 像素，llama.cpp 每张图最多 4096 个词元 = 3,211,264 像素）。视觉编码器占每页大部分时间，因此预算越低越快。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="9"/>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="10"/>
        <source>Page range such as &apos;1-3,7,10-&apos; (1-based); empty means every page.</source>
        <translation>页码范围，如 &apos;1-3,7,10-&apos;（从 1 开始）；留空表示所有页面。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="11"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="12"/>
        <source>What to ask GLM-OCR for: plain text/Markdown, tables (HTML) or formulas (LaTeX).</source>
        <translation>要求 GLM-OCR 输出的内容：纯文本/Markdown、表格 (HTML) 或公式 (LaTeX)。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="13"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="14"/>
        <source>table</source>
        <translation>表格</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="15"/>
        <source>formula</source>
        <translation>公式</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="16"/>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="18"/>
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="19"/>
        <source>Penalty on repeated tokens. 1.0 (off) by default: GLM-OCR issue #240 reports 1.1 dropping table rows; the repetition guard catches loops instead.</source>
        <translation>对重复词元的惩罚。默认 1.0（关闭）：GLM-OCR issue #240 报告 1.1 会丢失表格行；改由重复检测来拦截循环。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="20"/>
        <source>Retry looping pages</source>
        <translation>重试陷入循环的页面</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="21"/>
        <source>When a page runs into a repetition loop, retry it once with a repetition penalty of 1.1.</source>
        <translation>页面陷入重复循环时，以 1.1 的重复惩罚重试一次。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="22"/>
        <source>Model GGUF</source>
        <translation>模型 GGUF</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="23"/>
        <source>GLM-OCR text GGUF; empty = the catalog model.</source>
        <translation>GLM-OCR 文本 GGUF；留空则使用目录模型。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="24"/>
        <source>Projector GGUF</source>
        <translation>投影器 GGUF</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="25"/>
        <source>GLM-OCR vision projector GGUF (mmproj).</source>
        <translation>GLM-OCR 视觉投影器 GGUF (mmproj)。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="26"/>
        <source>Catalog model</source>
        <translation>目录模型</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="27"/>
        <source>Catalog entry used when no model path is given.</source>
        <translation>未指定模型路径时使用的目录条目。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="28"/>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="29"/>
        <source>Layers offloaded to the GPU: -1 = all when the build has a GPU backend, 0 = CPU only.</source>
        <translation>卸载到 GPU 的层数：-1 = 构建带 GPU 后端时全部卸载，0 = 仅用 CPU。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="30"/>
        <source>Context size</source>
        <translation>上下文大小</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="32"/>
        <source>Threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="33"/>
        <source>CPU threads for decoding and image encoding; 0 = every core this process may use.</source>
        <translation>用于解码和图像编码的 CPU 线程数；0 = 本进程可用的所有核心。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="34"/>
        <source>Flash attention</source>
        <translation>Flash Attention</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="35"/>
        <source>Use flash attention. Without it the vision encoder holds a patch×patch score matrix per head: ~10 GB for a page of 3072 image tokens, which no 8 GB device has.</source>
        <translation>使用 Flash Attention。不用时视觉编码器每个注意力头要保存一个 patch×patch 的分数矩阵：3072 个图像词元的页面约需 10 GB，8 GB 设备都放不下。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="36"/>
        <source>Projector on GPU</source>
        <translation>投影器放在 GPU 上</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="37"/>
        <source>Run the vision projector on the GPU. Turn off on an 8 GB Orin Nano if loading runs out of memory.</source>
        <translation>在 GPU 上运行视觉投影器。若在 8 GB 的 Orin Nano 上加载时内存不足，请关闭。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="38"/>
        <source>Image token cap</source>
        <translation>图像词元上限</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="40"/>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="41"/>
        <source>&apos;managed&apos; starts and supervises a local vLLM server; &apos;remote&apos; uses one already running at the URL.</source>
        <translation>“托管”会启动并监管本地 vLLM 服务器；“远程”使用已在该 URL 运行的服务器。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="42"/>
        <source>managed</source>
        <translation>托管</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="43"/>
        <source>remote</source>
        <translation>远程</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="44"/>
        <source>Server command</source>
        <translation>服务器命令</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="45"/>
        <source>Command that starts the server (a venv&apos;s vllm, a &apos;docker run …&apos; of a Jetson image, …). The model and flags are appended.</source>
        <translation>启动服务器的命令（某个虚拟环境中的 vllm、Jetson 镜像的 &apos;docker run …&apos; 等）。模型和参数会附加在后面。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="46"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="47"/>
        <source>Model directory or Hugging Face repo id served.</source>
        <translation>所服务的模型目录或 Hugging Face 仓库 ID。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="48"/>
        <source>Server URL</source>
        <translation>服务器 URL</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="49"/>
        <source>Base URL of a remote server.</source>
        <translation>远程服务器的基础 URL。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="50"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="51"/>
        <source>API key of a remote server (managed servers get a random one).</source>
        <translation>远程服务器的 API 密钥（托管服务器会获得随机密钥）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="52"/>
        <source>Served name</source>
        <translation>服务名称</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="53"/>
        <source>Name the server serves the model under.</source>
        <translation>服务器提供该模型时使用的名称。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="54"/>
        <source>Max model length</source>
        <translation>最大模型长度</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="55"/>
        <source>Server context length (--max-model-len).</source>
        <translation>服务器上下文长度 (--max-model-len)。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="56"/>
        <source>GPU memory share</source>
        <translation>GPU 内存占比</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="57"/>
        <source>Share of GPU memory the server may take; 0 = automatic (0.4 on devices with 8 GB or less, else 0.8).</source>
        <translation>服务器可占用的 GPU 内存比例；0 = 自动（8 GB 及以下设备为 0.4，否则为 0.8）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="58"/>
        <source>Pages in flight</source>
        <translation>同时处理的页数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="59"/>
        <source>Pages sent to the server at once; 0 = derived from free memory.</source>
        <translation>同时发送给服务器的页数；0 = 根据可用内存决定。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="60"/>
        <source>MTP speculative decoding</source>
        <translation>MTP 推测解码</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="61"/>
        <source>Enable MTP speculative decoding.</source>
        <translation>启用 MTP 推测解码。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="62"/>
        <source>Eager mode</source>
        <translation>Eager 模式</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="63"/>
        <source>Skip CUDA graphs / torch.compile (faster start, slower decode).</source>
        <translation>跳过 CUDA graphs / torch.compile（启动更快，解码更慢）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="64"/>
        <source>Extra arguments</source>
        <translation>额外参数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="65"/>
        <source>Extra arguments appended to the server command.</source>
        <translation>附加到服务器命令后的额外参数。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="66"/>
        <source>Start timeout</source>
        <translation>启动超时</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="67"/>
        <source>Seconds to wait for the server to become healthy.</source>
        <translation>等待服务器就绪的秒数。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="68"/>
        <source>Request timeout</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="69"/>
        <source>Seconds one page may take on the server.</source>
        <translation>单页在服务器上允许花费的秒数。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="70"/>
        <source>Formats</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="71"/>
        <source>Formats written: any of txt, md, json, pdf (the original pages made searchable: the text laid invisibly over each line) and hocr (the text with its line and word boxes).</source>
        <translation>要写出的格式：txt、md、json、pdf（可搜索的原始页面：文字以不可见的方式覆盖在每一行上）和 hocr（带行和词位置框的文字）中的任意几种。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="72"/>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="73"/>
        <source>Folder results are exported to; empty = beside each document.</source>
        <translation>结果导出到的文件夹；留空则放在各文档旁边。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="74"/>
        <source>One combined file</source>
        <translation>合并为一个文件</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="75"/>
        <source>Write all documents into one file per format.</source>
        <translation>每种格式把所有文档写入一个文件。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="76"/>
        <source>Page separators</source>
        <translation>页面分隔符</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="77"/>
        <source>Mark where each page starts.</source>
        <translation>标记每页的起始位置。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="78"/>
        <source>Overwrite existing</source>
        <translation>覆盖已有文件</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="79"/>
        <source>Replace a file of the same name even if OCR Desktop did not write it (or it was edited since). Without it, only the app&apos;s own unedited exports are replaced, and up-to-date ones are left alone.</source>
        <translation>即使同名文件不是 OCR 桌面写的（或之后被编辑过）也替换它。不勾选时，只替换本应用写出且未编辑的导出文件，已是最新的文件保持不动。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="80"/>
        <source>Numbered copies</source>
        <translation>编号副本</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="81"/>
        <source>Keep every existing file: write the export under a numbered name (report (2).md) when the name is taken by a file with other content.</source>
        <translation>保留所有已有文件：若同名文件内容不同，则以带编号的名称（report (2).md）写出导出结果。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="88"/>
        <source>Reading mode</source>
        <translation>识别模式</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="89"/>
        <source>How a page is read: &apos;layout&apos; finds its regions (text, tables, formulas, figures) and reads each with its own prompt, as GLM-OCR&apos;s SDK does; &apos;page&apos; sends the whole page as one image (faster on a small CPU, weaker on tables and complex pages). See docs/layout.md.</source>
        <translation>页面的识别方式：&apos;layout&apos; 先找出页面中的区域（文本、表格、公式、图片），再用各自的提示词逐一识别，与 GLM-OCR SDK 的做法相同；&apos;page&apos; 将整页作为一张图片发送（在小型 CPU 上更快，但对表格和复杂页面效果较差）。参见 docs/layout.md。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="90"/>
        <source>layout</source>
        <translation>版面分析</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="91"/>
        <source>page</source>
        <translation>整页</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="92"/>
        <source>Furniture to keep</source>
        <translation>保留的页面附属内容</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="93"/>
        <source>Page furniture that is read instead of skipped in layout mode: any of header, footer, page_number, footnote, aside.</source>
        <translation>在版面模式下要识别而不跳过的页面附属内容：header、footer、page_number、footnote、aside 中的任意几项。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="94"/>
        <source>header</source>
        <translation>页眉</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="95"/>
        <source>footer</source>
        <translation>页脚</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="96"/>
        <source>page_number</source>
        <translation>页码</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="97"/>
        <source>footnote</source>
        <translation>脚注</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="98"/>
        <source>aside</source>
        <translation>旁注</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="99"/>
        <source>Layout model</source>
        <translation>版面分析模型</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="100"/>
        <source>Layout model: &apos;auto&apos; uses PP-DocLayoutV3 once downloaded (ocr-desktop models pull pp-doclayout-v3), else CDLA, which ships with the app.</source>
        <translation>版面分析模型：&apos;auto&apos; 在已下载 PP-DocLayoutV3（ocr-desktop models pull pp-doclayout-v3）时使用它，否则使用随应用附带的 CDLA。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="101"/>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="102"/>
        <source>pp-doclayout-v3</source>
        <translation>PP-DocLayoutV3</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="103"/>
        <source>cdla</source>
        <translation>CDLA</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="104"/>
        <source>Serve the API</source>
        <translation>提供 API 服务</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="105"/>
        <source>Serve GLM-OCR&apos;s API (/glmocr/parse, the cloud&apos;s /api/paas/v4/layout_parsing, jobs) while the window is open; documents sent to it appear in the queue and history.</source>
        <translation>窗口打开期间提供 GLM-OCR 的 API（/glmocr/parse、云端的 /api/paas/v4/layout_parsing、任务）；发送来的文档会像拖入的文档一样出现在队列和历史中。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="106"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="107"/>
        <source>Address to listen on. 127.0.0.1 serves this machine only; any other address (0.0.0.0: every network) requires the access token.</source>
        <translation>监听的地址。127.0.0.1 只服务本机；其他任何地址（0.0.0.0：所有网络）都需要访问令牌。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="108"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="109"/>
        <source>Port to listen on (GLM-OCR&apos;s SDK server uses 5002); 0 picks a free one, shown once listening.</source>
        <translation>监听的端口（GLM-OCR 的 SDK 服务器使用 5002）；0 表示自动选择空闲端口，开始监听后显示。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="110"/>
        <source>Fetch URLs</source>
        <translation>获取 URL</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="111"/>
        <source>Fetch http(s) URLs sent instead of documents. Off: a client can never make this machine open a URL on its network (server-side request forgery).</source>
        <translation>获取客户端代替文档发送的 http(s) URL。关闭时，客户端无法让本机打开其网络中的 URL（服务器端请求伪造）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="112"/>
        <source>CORS origins</source>
        <translation>CORS 来源</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="113"/>
        <source>Web origins allowed to call the API from a browser (CORS), comma-separated, such as https://intranet.example; empty: none.</source>
        <translation>允许从浏览器调用 API 的网页来源（CORS），以逗号分隔，例如 https://intranet.example；留空：不允许。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="114"/>
        <source>Largest request (MB)</source>
        <translation>最大请求（MB）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="115"/>
        <source>Largest request body accepted (MB); larger ones get 413.</source>
        <translation>接受的最大请求体（MB）；更大的请求返回 413。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="116"/>
        <source>Most pages per document</source>
        <translation>每个文档最多页数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="117"/>
        <source>Most pages one document sent to the API may have read; more get 413.</source>
        <translation>发送到 API 的单个文档最多可识别的页数；超出时返回 413。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="118"/>
        <source>Most queued documents</source>
        <translation>最多排队文档数</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="119"/>
        <source>Most API documents queued or reading at once; more get 429 with Retry-After.</source>
        <translation>同时排队或识别中的 API 文档上限；超出时返回 429 并附 Retry-After。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="82"/>
        <source>Gauge interval (s)</source>
        <translation>仪表刷新间隔（秒）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="2"/>
        <source>Runtime that reads the pages: GLM-OCR through llama.cpp or vLLM, or the PP-OCRv6 lite engine that ships with the app (plain text lines, no tables or formulas; no download).</source>
        <translation>识别页面所用的运行时：通过 llama.cpp 或 vLLM 运行 GLM-OCR，或使用应用自带的 PP-OCRv6 轻量引擎（仅纯文本行，不识别表格和公式；无需下载）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="17"/>
        <source>Most tokens generated for one page, or for one layout region (the GLM-OCR SDK&apos;s 8192).</source>
        <translation>每页或每个版面区域最多生成的词元数（GLM-OCR SDK 为 8192）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="31"/>
        <source>Context size in tokens: must hold the page&apos;s image tokens plus the output (a layout region&apos;s 8192 tokens beside a full page&apos;s 3072 image tokens need 11283).</source>
        <translation>以词元计的上下文大小：必须容纳页面的图像词元和输出（一个版面区域的 8192 个词元加上整页的 3072 个图像词元需要 11283）。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="39"/>
        <source>Most image tokens per image (one token = 28×28 px); an image above it is refused, not silently shrunk. 6144 is GLM-OCR&apos;s own limit (the SDK&apos;s image_expect_length), which a page read whole in layout mode may reach; llama.cpp&apos;s default for GLM4V is 4096. Crops and whole-page mode stay within the pixel budget.</source>
        <translation>每张图像最多的图像词元数（一个词元 = 28×28 像素）；超过的图像会被拒绝，而不是悄悄缩小。6144 是 GLM-OCR 自身的上限（SDK 的 image_expect_length），版面模式下整页识别的页面可能达到；llama.cpp 对 GLM4V 的默认值是 4096。区域裁剪和整页模式仍在像素预算之内。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="83"/>
        <source>Seconds between gauge readings.</source>
        <translation>两次仪表读数之间的秒数。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="84"/>
        <source>History (s)</source>
        <translation>历史时长（秒）</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="85"/>
        <source>Seconds of history kept for the sparklines.</source>
        <translation>火花线保留的历史秒数。</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="86"/>
        <source>Low-memory threshold (MB)</source>
        <translation>低内存阈值 (MB)</translation>
    </message>
    <message>
        <location filename="../../../build/settings_strings.py" line="87"/>
        <source>When free memory falls below this, no new pages are started until it recovers.</source>
        <translation>可用内存低于此值时，在恢复之前不再开始新页面。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../gui/settings_dialog.py" line="106"/>
        <source>Settings</source>
        <extracomment>Settings sections whose change means the backend must be loaded again. The translation context of the settings schema&apos;s labels, help texts and choices. They are not in this package&apos;s source, so scripts/update_translations.py hands them to lupdate itself. The same for the backends&apos; names and the model catalog&apos;s descriptions. Settings whose choices are words (the others are names: backends, formats, languages).</extracomment>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="111"/>
        <source>Settings sections</source>
        <translation>设置分类</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="130"/>
        <source>Put every setting back to its default (saved when you press OK)</source>
        <translation>将所有设置恢复为默认值（按“确定”后保存）</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="144"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="145"/>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="146"/>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="149"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="150"/>
        <source>Gauges</source>
        <translation>仪表</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="151"/>
        <source>Reading</source>
        <translation>识别</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="152"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="167"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="229"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="230"/>
        <source>Download the chosen catalog model from Hugging Face</source>
        <translation>从 Hugging Face 下载所选的目录模型</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="233"/>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="238"/>
        <source>Leave the model files empty to use a catalog model:</source>
        <translation>模型文件留空则使用目录中的模型：</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="253"/>
        <source>✓ Can run on this machine.</source>
        <translation>✓ 可在本机运行。</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="255"/>
        <source>⚠ Cannot run on this machine: {reason} — {fix}</source>
        <translation>⚠ 无法在本机运行：{reason} — {fix}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="292"/>
        <source>Not downloaded.</source>
        <translation>尚未下载。</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="295"/>
        <source>Downloaded: {path}</source>
        <translation>已下载：{path}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="297"/>
        <source>{names} not downloaded</source>
        <translation>{names} 尚未下载</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="308"/>
        <source>Downloading {name}…</source>
        <translation>正在下载 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="334"/>
        <source>Download failed: {message}</source>
        <translation>下载失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="388"/>
        <source>⚠ {reason} — {fix}. Press Save Anyway to keep these settings.</source>
        <translation>⚠ {reason} — {fix}。如仍要保留这些设置，请按“仍然保存”。</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="394"/>
        <source>Save Anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="409"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="474"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="476"/>
        <source>Browse for {setting}</source>
        <translation>浏览选择{setting}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="489"/>
        <source>GGUF files (*.gguf);;All files (*)</source>
        <translation>GGUF 文件 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <location filename="../../gui/window_actions.py" line="89"/>
        <source>&amp;Open Files…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="92"/>
        <source>Add documents to the queue</source>
        <translation>将文档加入队列</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="95"/>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="98"/>
        <source>Add every document in a folder</source>
        <translation>加入文件夹中的所有文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="101"/>
        <source>&amp;Paste Image</source>
        <translation>粘贴图片(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="104"/>
        <source>Read the image on the clipboard</source>
        <translation>识别剪贴板中的图片</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="107"/>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="110"/>
        <source>Export the selected documents (or all) as txt, md or json</source>
        <translation>将选中的文档（或全部）导出为 txt、md 或 json</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="113"/>
        <source>&amp;History…</source>
        <translation>历史记录(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="113"/>
        <source>Reopen documents read earlier</source>
        <translation>重新打开以前识别过的文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="115"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="115"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="117"/>
        <source>Copy &amp;Page Text</source>
        <translation>复制本页文字(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="120"/>
        <source>Copy the shown page&apos;s text</source>
        <translation>复制当前页的文字</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="123"/>
        <source>Copy &amp;Document Text</source>
        <translation>复制整个文档文字(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="126"/>
        <source>Copy the shown document&apos;s text</source>
        <translation>复制当前文档的文字</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="129"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="132"/>
        <source>Backend, model, task and export options</source>
        <translation>后端、模型、任务和导出选项</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="135"/>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="138"/>
        <source>Start no new page; the page being read finishes</source>
        <translation>不再开始新页面；正在识别的页面会完成</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="142"/>
        <source>Cancel &amp;Page</source>
        <translation>取消本页(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="145"/>
        <source>Stop reading the page of the document shown or selected (retry it later)</source>
        <translation>停止识别当前显示或选中文档的页面（稍后可重试）</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="148"/>
        <source>&amp;Cancel Document</source>
        <translation>取消文档(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="151"/>
        <source>Stop reading the selected documents</source>
        <translation>停止识别选中的文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="154"/>
        <source>&amp;Retry / Resume</source>
        <translation>重试 / 继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="157"/>
        <source>Read failed pages again, or resume a cancelled or failed document</source>
        <translation>重新识别失败的页面，或继续已取消或失败的文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="160"/>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="163"/>
        <source>Remove the selected documents and their results</source>
        <translation>移除选中的文档及其结果</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="172"/>
        <source>C&amp;lear Finished</source>
        <translation>清除已完成(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="175"/>
        <source>Take finished documents off the queue (they stay in the history)</source>
        <translation>从队列中移除已完成的文档（仍保留在历史记录中）</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="178"/>
        <source>Move &amp;Up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="181"/>
        <source>Read this document earlier</source>
        <translation>提前识别此文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="184"/>
        <source>Move &amp;Down</source>
        <translation>下移(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="187"/>
        <source>Read this document later</source>
        <translation>推后识别此文档</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="190"/>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="190"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="193"/>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="193"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="196"/>
        <source>&amp;Fit Width</source>
        <translation>适合宽度(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="196"/>
        <source>Fit the page to the width</source>
        <translation>按宽度缩放页面</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="199"/>
        <source>&amp;Next Page</source>
        <translation>下一页(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="199"/>
        <source>Show the next page</source>
        <translation>显示下一页</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="202"/>
        <source>P&amp;revious Page</source>
        <translation>上一页(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="202"/>
        <source>Show the previous page</source>
        <translation>显示上一页</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="205"/>
        <source>&amp;Compare Backends…</source>
        <translation>比较后端(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="208"/>
        <source>Measure llama.cpp and vLLM on this device and get a recommendation</source>
        <translation>在本设备上测量 llama.cpp 和 vLLM 并给出建议</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="210"/>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="210"/>
        <source>About OCR Desktop</source>
        <translation>关于 OCR Desktop</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="212"/>
        <source>Open &amp;Log Folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="215"/>
        <source>Show the folder with the log file</source>
        <translation>显示日志文件所在的文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="228"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="240"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="243"/>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="257"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="268"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../gui/window_actions.py" line="270"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
</context>
<context>
    <name>_GaugeView</name>
    <message>
        <location filename="../../gui/gauges.py" line="298"/>
        <location filename="../../gui/gauges.py" line="315"/>
        <source>n/a</source>
        <extracomment>Percent of RAM, swap or KV cache at which a gauge turns amber, and red. Jetson modules throttle near 95-100 °C (tj); amber and red come before that. The sparkline spans at least this many readings, growing to the whole history as it fills, so a freshly started app shows a line rather than a sliver at the right edge. Per sampler, the gauges currently visible on it: the sampler runs while this is not empty.</extracomment>
        <translation>不可用</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="298"/>
        <source>Waiting for the first reading…</source>
        <translation>等待第一次读数…</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="304"/>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="305"/>
        <source>Swap</source>
        <translation>交换区</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="306"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="307"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="308"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="309"/>
        <source>Power</source>
        <translation>功耗</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="310"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="314"/>
        <source>Not measured on this machine</source>
        <translation>本机无法测量</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="324"/>
        <source>Model runtime</source>
        <translation>模型运行时</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="325"/>
        <source>This app</source>
        <translation>本程序</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="326"/>
        <source>Other programs</source>
        <translation>其他程序</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="333"/>
        <source>This app (with a model loaded in it, as llama.cpp is): {0}</source>
        <translation>本应用（含在其中加载的模型，如 llama.cpp）：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="337"/>
        <source>Free: {0} of {1}</source>
        <translation>空闲：{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="343"/>
        <source>GPU share (in model runtime): {0}</source>
        <translation>GPU 占用（模型运行时内）：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="350"/>
        <source>No swap space is configured</source>
        <translation>未配置交换空间</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="361"/>
        <source>Average over all cores</source>
        <translation>所有核心的平均值</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="368"/>
        <source>Load: {0}</source>
        <translation>负载：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="370"/>
        <source>Frequency: {0} MHz</source>
        <translation>频率：{0} MHz</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="376"/>
        <source>GPU memory: {0} / {1}</source>
        <translation>GPU 内存：{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="396"/>
        <source>Now: {0}</source>
        <translation>当前：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="397"/>
        <source>Bar scale: the recent peak, {0:.1f} W</source>
        <translation>刻度：最近峰值 {0:.1f} W</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="407"/>
        <source>vLLM KV cache in use: {0}</source>
        <translation>vLLM KV 缓存已用：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="410"/>
        <source>{0} pages running, {1} waiting</source>
        <translation>{0} 页进行中，{1} 页等待</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="427"/>
        <source>Source: {0}</source>
        <translation>来源：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="437"/>
        <source>near the limit</source>
        <translation>接近上限</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="437"/>
        <source>at the limit</source>
        <translation>达到上限</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../../../build/message_strings.py" line="8"/>
        <source>llama.cpp failed on page {page}: {reason}</source>
        <translation>llama.cpp 读取第 {page} 页失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="9"/>
        <source>{model} is a vision projector (mmproj), not the GLM-OCR text model — swap the two files in Settings → llama.cpp</source>
        <translation>{model} 是视觉投影器（mmproj），不是 GLM-OCR 文本模型 — 请在 设置 → llama.cpp 中交换这两个文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="10"/>
        <source>{mmproj} is not a vision projector (mmproj GGUF) — choose the mmproj file that came with {model} in Settings → llama.cpp</source>
        <translation>{mmproj} 不是视觉投影器（mmproj GGUF）— 请在 设置 → llama.cpp 中选择与 {model} 配套的 mmproj 文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="11"/>
        <source>{mmproj} does not belong to {model}: it projects images to {projected} values per token but the model expects {width} — use the mmproj from the same release as the model</source>
        <translation>{mmproj} 与 {model} 不匹配：它把图像投影为每个标记 {projected} 个值，而模型需要 {width} 个 — 请使用与模型同一版本的 mmproj</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="12"/>
        <source>llama.cpp could not load {model}: {reason}</source>
        <translation>llama.cpp 无法加载 {model}：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="13"/>
        <source>{reason} (choose other files in Settings → llama.cpp)</source>
        <translation>{reason}（请在 设置 → llama.cpp 中选择其他文件）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="14"/>
        <source>llama.cpp could not load the vision projector {mmproj}: {reason}</source>
        <translation>llama.cpp 无法加载视觉投影器 {mmproj}：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="15"/>
        <source>not enough free memory to load: needs {needs} ({detail}) plus {headroom} headroom, but only {available} is free ({short} short)</source>
        <translation>可用内存不足，无法加载：需要 {needs}（{detail}）外加 {headroom} 余量，但只有 {available} 可用（差 {short}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="16"/>
        <source>only {free} free memory (below {limit}): waiting before starting another page</source>
        <translation>可用内存只有 {free}（低于 {limit}）：等待后再开始下一页</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="17"/>
        <source>{message} — close other programs, or try {options}</source>
        <translation>{message} — 请关闭其他程序，或尝试 {options}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="18"/>
        <source>llama-cpp-python is installed</source>
        <translation>已安装 llama-cpp-python</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="19"/>
        <source>server command {command!r} found</source>
        <translation>已找到服务器命令 {command!r}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="20"/>
        <source>PP-OCRv6 models ship inside the rapidocr wheel (no download)</source>
        <translation>PP-OCRv6 模型随 rapidocr 安装包提供（无需下载）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="21"/>
        <source>llama-cpp-python is not installed</source>
        <translation>未安装 llama-cpp-python</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="22"/>
        <source>scripts/setup.sh app  (or: pip install llama-cpp-python==0.3.36)</source>
        <translation>运行 scripts/setup.sh app（或：pip install llama-cpp-python==0.3.36）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="23"/>
        <source>remote server at {url} (checked when loading)</source>
        <translation>远程服务器 {url}（加载时检查）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="24"/>
        <source>the vLLM server command {command!r} was not found</source>
        <translation>找不到 vLLM 服务器命令 {command!r}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="25"/>
        <source>install vLLM (pip install vllm, or a Jetson container) and set Settings → vLLM → Server command, or use a remote server URL</source>
        <translation>请安装 vLLM（pip install vllm，或使用 Jetson 容器）并设置 设置 → vLLM → 服务器命令，或使用远程服务器 URL</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="26"/>
        <source>rapidocr (PP-OCRv6) is not installed</source>
        <translation>未安装 rapidocr（PP-OCRv6）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="27"/>
        <source>make run  (or: pip install rapidocr==3.10.0)</source>
        <translation>make run（或：pip install rapidocr==3.10.0）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="28"/>
        <source>the vLLM server stopped while reading page {page} ({detail}) — see {log}</source>
        <translation>vLLM 服务器在读取第 {page} 页时停止了（{detail}）— 请查看 {log}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="29"/>
        <source>lost the connection to vLLM at {url} on page {page} ({reason}) — check that the server is running</source>
        <translation>读取第 {page} 页时与 {url} 上的 vLLM 失去连接（{reason}）— 请检查服务器是否在运行</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="30"/>
        <source>vLLM failed on page {page}: {reason}</source>
        <translation>vLLM 读取第 {page} 页失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="31"/>
        <source>vLLM refused page {page} (HTTP {status}): {reason}</source>
        <translation>vLLM 拒绝了第 {page} 页（HTTP {status}）：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="32"/>
        <source>the vLLM server at {url} rejected the API key — set Settings → vLLM → API key to the server&apos;s --api-key</source>
        <translation>{url} 上的 vLLM 服务器拒绝了 API 密钥 — 请把 设置 → vLLM → API 密钥 设为该服务器的 --api-key</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="33"/>
        <source>{url} is not an OpenAI-compatible server (GET /v1/models answered HTTP {status}) — the URL should be the server&apos;s base, such as http://host:8000</source>
        <translation>{url} 不是兼容 OpenAI 的服务器（GET /v1/models 返回 HTTP {status}）— URL 应为服务器的根地址，例如 http://host:8000</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="34"/>
        <source>the server at {url} serves {served}, not {wanted} — set Settings → vLLM → Served name to {first}</source>
        <translation>{url} 上的服务器提供的是 {served}，而不是 {wanted} — 请把 设置 → vLLM → 服务名称 设为 {first}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="35"/>
        <source>the vLLM server at {url} rejected the API key — set Settings → vLLM → API key</source>
        <translation>{url} 上的 vLLM 服务器拒绝了 API 密钥 — 请检查 设置 → vLLM → API 密钥</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="36"/>
        <source>the server at {url} serves {served}, not {wanted} — set Settings → vLLM → Served name</source>
        <translation>{url} 上的服务器提供的是 {served}，而不是 {wanted} — 请修改 设置 → vLLM → 服务名称</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="37"/>
        <source>page {page} is too large for the server: {width}×{height} px is {image_tokens} image tokens, {total} with the prompt, and the server&apos;s context (--max-model-len) is {context} — lower Settings → Documents → Pixel budget or DPI, or raise Settings → vLLM → Max model length</source>
        <translation>第 {page} 页对该服务器来说太大：{width}×{height} px 需要 {image_tokens} 个图像词元，加上提示词共 {total} 个，而服务器的上下文（--max-model-len）只有 {context} — 请降低 设置 → 文档 → 像素预算 或 DPI，或调大 设置 → vLLM → 最大模型长度</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="38"/>
        <source>vLLM answered HTTP {status} on page {page}: {reason}</source>
        <translation>vLLM 对第 {page} 页返回 HTTP {status}：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="39"/>
        <source>{url} is not a server URL — set Settings → vLLM → Server URL to something like http://192.168.1.20:8000</source>
        <translation>{url} 不是服务器 URL — 请把 设置 → vLLM → 服务器 URL 设为类似 http://192.168.1.20:8000 的地址</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="40"/>
        <source>no vLLM server answers at {url} ({reason}) — start it, or fix Settings → vLLM → Server URL</source>
        <translation>{url} 上没有 vLLM 服务器应答（{reason}）— 请启动它，或修改 设置 → vLLM → 服务器 URL</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="41"/>
        <source>{url} answered /v1/models with something that is not a model list</source>
        <translation>{url} 对 /v1/models 的应答不是模型列表</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="42"/>
        <source>the server at {url} serves no model, not {wanted} — set Settings → vLLM → Served name to {wanted}</source>
        <translation>{url} 上的服务器没有提供任何模型，而不是 {wanted} — 请把 设置 → vLLM → 服务名称 设为 {wanted}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="43"/>
        <source>vLLM did not finish page {page} within {timeout:.0f} s — raise Settings → vLLM → Request timeout, or lower the pixel budget / DPI</source>
        <translation>vLLM 未能在 {timeout:.0f} 秒内完成第 {page} 页 — 请调大 设置 → vLLM → 请求超时，或降低像素预算 / DPI</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="44"/>
        <source>Settings → vLLM → Server command is empty — set it to e.g. &apos;vllm serve&apos;</source>
        <translation>设置 → vLLM → 服务器命令 为空 — 请设为例如 &apos;vllm serve&apos;</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="45"/>
        <source>the vLLM server command {command} was not found — install vLLM (pip install vllm, or a Jetson container) and set Settings → vLLM → Server command, or use a remote server</source>
        <translation>找不到 vLLM 服务器命令 {command} — 请安装 vLLM（pip install vllm，或使用 Jetson 容器）并设置 设置 → vLLM → 服务器命令，或使用远程服务器</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="46"/>
        <source>vLLM answered /health but its first image request failed with HTTP {status}: {reason}. Last lines of the server log:
{tail}
Full log: {log}</source>
        <translation>vLLM 已应答 /health，但第一个图像请求失败，HTTP {status}：{reason}。服务器日志的最后几行：
{tail}
完整日志：{log}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="47"/>
        <source>Settings → vLLM → Server command or Extra arguments cannot be split into words ({reason}) — check the quotes</source>
        <translation>无法将 设置 → vLLM → 服务器命令 或 额外参数 拆分为单词（{reason}）— 请检查引号</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="48"/>
        <source>vLLM answered /health but failed its first image request ({reason}). Last lines of the server log:
{tail}
Full log: {log}</source>
        <translation>vLLM 已应答 /health，但第一个图像请求失败（{reason}）。服务器日志的最后几行：
{tail}
完整日志：{log}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="49"/>
        <source>vLLM exited during start-up (exit code {code}). Last lines of the server log:
{tail}
Full log: {log}</source>
        <translation>vLLM 在启动过程中退出（退出码 {code}）。服务器日志的最后几行：
{tail}
完整日志：{log}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="50"/>
        <source>vLLM did not become ready on {url} within {timeout} s (last log line: {line}) — see the server log at {log}; raise Settings → vLLM → Start timeout if it was still loading</source>
        <translation>vLLM 在 {timeout} 秒内未在 {url} 上就绪（最后一行日志：{line}）— 请查看服务器日志 {log}；如果它仍在加载，请调大 设置 → vLLM → 启动超时</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="51"/>
        <source>{requests} requests per backend need more distinct pages than {pages} page(s) give ({variants} each): add pages or lower --pages/--repeats</source>
        <translation>每个后端 {requests} 个请求所需的不同页面多于 {pages} 页所能提供的（每页 {variants} 个）：请增加页面，或降低页数/轮数</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="52"/>
        <source>benchmark cancelled</source>
        <translation>基准测试已取消</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="53"/>
        <source>benchmark finished</source>
        <translation>基准测试已完成</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="54"/>
        <source>the documents have no pages to benchmark</source>
        <translation>这些文档没有可用于基准测试的页面</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="55"/>
        <source>{backend}: loaded in {seconds:.1f} s, warming up</source>
        <translation>{backend}：加载用时 {seconds:.1f} 秒，正在预热</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="56"/>
        <source>{backend}: warm-up page read in {seconds:.1f} s</source>
        <translation>{backend}：预热页面识别用时 {seconds:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="57"/>
        <source>choose at least one backend</source>
        <translation>请至少选择一个后端</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="58"/>
        <source>pages in flight must be whole numbers of 1 or more, e.g. 1,2,4</source>
        <translation>同时处理的页数必须是不小于 1 的整数，例如 1,2,4</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="59"/>
        <source>the in-flight levels must start at 1: it is the single-stream baseline</source>
        <translation>同时处理页数的级别必须从 1 开始：它是单路基线</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="60"/>
        <source>list the in-flight levels once each, in increasing order, e.g. 1,2,4</source>
        <translation>请按递增顺序列出同时处理页数的级别，每个只写一次，例如 1,2,4</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="61"/>
        <source>pages and repeats must be at least 1, max tokens at least 2</source>
        <translation>页数和轮数至少为 1，最大词元数至少为 2</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="62"/>
        <source>unknown reading mode {mode}: choose page or layout</source>
        <translation>未知的识别模式 {mode}：请选择 page 或 layout</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="63"/>
        <source>{backend}: runs {effective} page(s) at a time, not {level}</source>
        <translation>{backend}：一次只能处理 {effective} 页，而不是 {level} 页</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="64"/>
        <source>{backend}: {level} in flight, round {round}/{rounds}</source>
        <translation>{backend}：同时处理 {level} 页，第 {round}/{rounds} 轮</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="65"/>
        <source>{backend}: unloading</source>
        <translation>{backend}：正在卸载</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="66"/>
        <source>{backend}: {message}</source>
        <translation>{backend}：{message}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="67"/>
        <source>{backend}: {level} in flight, page {page}/{pages}</source>
        <translation>{backend}：同时处理 {level} 页，第 {page}/{pages} 页</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="86"/>
        <source>{where} looks like a {kind} image but cannot be decoded ({reason}) — the file is damaged or incomplete; copy or download it again</source>
        <translation>{where} 看起来是 {kind} 图像，但无法解码（{reason}）— 文件已损坏或不完整；请重新复制或下载</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="76"/>
        <source>page {page} of {name}</source>
        <translation>{name} 的第 {page} 页</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="77"/>
        <source>{name} is {kind}, not a supported document — supported are {supported}; convert it (e.g. print or export it to PDF) and open that</source>
        <translation>{name} 是{kind}，不是支持的文档 — 支持的格式为 {supported}；请先转换（例如打印或导出为 PDF）再打开</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="88"/>
        <source>{name} is password-protected — remove the password (qpdf --decrypt --password=… in.pdf out.pdf, or print it to a new PDF from a viewer) and open that</source>
        <translation>{name} 受密码保护 — 请先移除密码（qpdf --decrypt --password=… in.pdf out.pdf，或在阅读器中打印为新的 PDF）再打开</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="89"/>
        <source>{name} is a PDF with no pages — nothing to read</source>
        <translation>{name} 是没有页面的 PDF — 没有可识别的内容</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="90"/>
        <source>{name} is a damaged PDF ({error}) — download it again or re-save it from a PDF viewer</source>
        <translation>{name} 是损坏的 PDF（{error}）— 请重新下载，或在 PDF 阅读器中另存一份</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="87"/>
        <source>{where} is blank (every pixel is the same colour): there is no text to read — if it should have some, the file is damaged; scan or export it again</source>
        <translation>{where} 是空白页（所有像素颜色相同）：没有可识别的文字 — 如果本应有文字，说明文件已损坏；请重新扫描或导出</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="78"/>
        <source>{where} has an empty page box ({width:g}×{height:g} pt): there is nothing on it to read — the PDF is damaged; re-save it from a PDF viewer</source>
        <translation>{where} 的页面框为空（{width:g}×{height:g} pt）：上面没有可识别的内容 — PDF 已损坏；请在 PDF 阅读器中另存一份</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="79"/>
        <source>{name} is a folder — open the documents inside it, or drop the folder itself</source>
        <translation>{name} 是文件夹 — 请打开其中的文档，或直接拖入该文件夹</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="80"/>
        <source>{name} is not a regular file (a pipe or device) — save it as a file first</source>
        <translation>{name} 不是普通文件（管道或设备）— 请先另存为文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="81"/>
        <source>{name} is empty (0 bytes) — the copy or download did not finish; get it again</source>
        <translation>{name} 是空文件（0 字节）— 复制或下载未完成；请重新获取</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="82"/>
        <source>{name} was not found at {path} — check the path</source>
        <translation>在 {path} 找不到 {name} — 请检查路径</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="83"/>
        <source>{name} cannot be read: permission denied — make it readable (chmod u+r) or copy it somewhere you can read</source>
        <translation>无法读取 {name}：权限不足 — 请使其可读（chmod u+r），或复制到你可以读取的位置</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="84"/>
        <source>{name} is a damaged PDF: every page has an empty page box ({width:g}×{height:g} pt), so there is nothing to read — re-save it from a PDF viewer</source>
        <translation>{name} 是损坏的 PDF：每一页的页面框都为空（{width:g}×{height:g} pt），没有可识别的内容 — 请在 PDF 阅读器中另存一份</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="85"/>
        <source>{where} could not be rendered ({reason}) — the PDF may be damaged; re-save it from a PDF viewer</source>
        <translation>无法渲染 {where}（{reason}）— PDF 可能已损坏；请在 PDF 阅读器中另存一份</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="68"/>
        <source>the model returned nothing</source>
        <translation>模型没有返回任何内容</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="69"/>
        <source>the model returned only special tokens</source>
        <translation>模型只返回了特殊标记</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="70"/>
        <source>the model returned an empty code fence</source>
        <translation>模型返回了空的代码块</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="71"/>
        <source>the model repeated the prompt instead of reading the page</source>
        <translation>模型复述了提示词，而没有识别页面</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="72"/>
        <source>job {job} is not in the store (was it removed?)</source>
        <translation>任务 {job} 不在任务库中（是否已被移除？）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="73"/>
        <source>the job store {path} cannot be opened ({reason}); move it aside to start with an empty history</source>
        <translation>无法打开任务库 {path}（{reason}）；请将其移到别处，以空的历史记录重新开始</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="74"/>
        <source>the job store {path} was written by a newer OCR Desktop (schema {version}, this version knows {known}); update the app or move the file aside</source>
        <translation>任务库 {path} 由较新的 OCR Desktop 写入（架构 {version}，本版本只认识 {known}）；请更新程序，或将该文件移到别处</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="75"/>
        <source>page {page} of job {job} has no result to edit</source>
        <translation>任务 {job} 的第 {page} 页没有可编辑的结果</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="91"/>
        <source>could not write {path}: {reason} — {advice} (the earlier file of that name is unchanged)</source>
        <translation>无法写入 {path}：{reason} — {advice}（原有的同名文件保持不变）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="92"/>
        <source>could not write {path}: {reason} — {advice} (no file was left behind)</source>
        <translation>无法写入 {path}：{reason} — {advice}（没有留下残缺文件）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="93"/>
        <source>{path} already exists and was not written by OCR Desktop (or was edited since); it is left as it is — choose Overwrite existing (--overwrite) to replace it, or Numbered copies (--numbered) to write the export beside it</source>
        <translation>{path} 已存在，且不是 OCR Desktop 写入的（或之后被编辑过）；已保持原样 — 选择“覆盖已有文件”（--overwrite）以替换它，或选择“编号副本”（--numbered）在旁边写入导出文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="103"/>
        <source>layout found nothing to read</source>
        <translation>版面分析没有找到可识别的内容</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="104"/>
        <source>layout found no region to read</source>
        <translation>版面分析没有找到需要识别的区域</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="105"/>
        <source>{path} has a damaged GGUF header ({reason}) — download it again</source>
        <translation>{path} 的 GGUF 文件头已损坏（{reason}）— 请重新下载</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="106"/>
        <source>{path} is not a GGUF file (wrong magic bytes) — it may be damaged or incomplete</source>
        <translation>{path} 不是 GGUF 文件（魔数不正确）— 文件可能已损坏或不完整</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="107"/>
        <source>{path} has GGUF version {version}, which is not supported (2 or 3 are)</source>
        <translation>{path} 的 GGUF 版本为 {version}，不受支持（支持版本 2 或 3）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="108"/>
        <source>download it with `ocr-desktop models pull {name}` or choose files in Settings → llama.cpp</source>
        <translation>请用 `ocr-desktop models pull {name}` 下载，或在 设置 → llama.cpp 中选择文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="109"/>
        <source>cannot reach the Hugging Face Hub at {hub} to download &apos;{name}&apos; ({reason}) — check the network connection or proxy and run the command again (files already downloaded are kept)</source>
        <translation>无法连接位于 {hub} 的 Hugging Face Hub 来下载“{name}”（{reason}）— 请检查网络连接或代理后重试（已下载的文件会保留）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="110"/>
        <source>model file not found: {path} — {hint}</source>
        <translation>找不到模型文件：{path} — {hint}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="111"/>
        <source>vision projector file not found: {path} — {hint}</source>
        <translation>找不到视觉投影器文件：{path} — {hint}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="112"/>
        <source>not enough disk space for &apos;{name}&apos;: needs {needed:.2f} GB in {cache}, {free:.2f} GB free — free some space or set HF_HOME to a larger disk</source>
        <translation>磁盘空间不足，无法下载“{name}”：{cache} 中需要 {needed:.2f} GB，仅剩 {free:.2f} GB — 请释放空间，或将 HF_HOME 设到更大的磁盘</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="113"/>
        <source>cannot download &apos;{name}&apos;: offline mode is on (HF_HUB_OFFLINE) — unset it, or copy the model files here and choose them in Settings → llama.cpp</source>
        <translation>无法下载“{name}”：离线模式已开启（HF_HUB_OFFLINE）— 请取消该设置，或把模型文件复制到本机并在 设置 → llama.cpp 中选择</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="114"/>
        <source>{repo} on {hub} was not found (or needs a login: `hf auth login`)</source>
        <translation>在 {hub} 上找不到 {repo}（或需要登录：`hf auth login`）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="115"/>
        <source>the Hub refused the download of &apos;{name}&apos; from {repo} on {hub}: {reason}</source>
        <translation>Hub 拒绝了从 {hub} 上的 {repo} 下载“{name}”：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="116"/>
        <source>&apos;{name}&apos; downloaded but failed verification ({details}) — run `ocr-desktop models rm {name}` and pull it again</source>
        <translation>“{name}”已下载但校验失败（{details}）— 请运行 `ocr-desktop models rm {name}` 后重新下载</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="117"/>
        <source>model &apos;{name}&apos; is not downloaded — {hint}</source>
        <translation>模型“{name}”尚未下载 — {hint}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="118"/>
        <source>model file not found: {file} of &apos;{name}&apos; — {hint}</source>
        <translation>找不到“{name}”的模型文件 {file} — {hint}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="123"/>
        <source>the page image may not have reached the model: check in Settings → Models that the vision projector (mmproj) belongs to the model, or try the other backend; a blank page has no text</source>
        <translation>页面图像可能没有送达模型：请在 设置 → 模型 中检查视觉投影器（mmproj）是否与模型匹配，或换用另一个后端；空白页没有文字</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="131"/>
        <source>none of the {count} pages could be read; see each page&apos;s error</source>
        <translation>{count} 页都无法识别；请查看每一页的错误</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="128"/>
        <source>{source} changed since it was queued; add it again to read the new version</source>
        <translation>{source} 在加入队列后已被修改；请重新添加以识别新版本</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="130"/>
        <source>the {backend} backend could not be loaded: {reason}</source>
        <translation>无法加载 {backend} 后端：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="129"/>
        <source>{name} could not be opened: {reason}</source>
        <translation>无法打开 {name}：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="132"/>
        <source>page {page} could not be rendered: {reason}</source>
        <translation>无法渲染第 {page} 页：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="119"/>
        <source>loading {backend}</source>
        <translation>正在加载 {backend}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="124"/>
        <source>internal error: {reason}; see the log file</source>
        <translation>内部错误：{reason}；请查看日志文件</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="121"/>
        <source>layout could not run: {reason}</source>
        <translation>版面分析无法运行：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="5"/>
        <source>PP-OCRv6 models {files} + ONNX Runtime {runtime}</source>
        <translation>PP-OCRv6 模型 {files} + ONNX Runtime {runtime}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="6"/>
        <source>loading {model}</source>
        <translation>正在加载 {model}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="7"/>
        <source>{model} ready</source>
        <translation>{model} 已就绪</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="122"/>
        <source>region {number} ({label}): </source>
        <translation>区域 {number}（{label}）：</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="125"/>
        <source>cancelled; retry the page to read it again</source>
        <translation>已取消；重试该页即可重新识别</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="126"/>
        <source>{reason} (again after a restart of the backend)</source>
        <translation>{reason}（重启后端后再次出现）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="127"/>
        <source>{what}{problem}, twice — {advice}</source>
        <translation>{what}{problem}，连续两次 — {advice}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="133"/>
        <source>the document is {size} bytes, over this server&apos;s limit of {limit} bytes</source>
        <translation>文档大小为 {size} 字节，超过本服务器 {limit} 字节的上限</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="134"/>
        <source>{scheme}: URLs are refused: this server reads no file or URL it is named — send the document itself</source>
        <translation>拒绝 {scheme}: URL：本服务器不读取客户端指名的任何文件或 URL — 请发送文档本身</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="135"/>
        <source>the URL&apos;s host {host} is this machine or on its local network: this server fetches only public addresses — send the document itself</source>
        <translation>URL 的主机 {host} 是本机或位于本地网络：此服务器只获取公网地址 — 请直接发送文档本身</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="136"/>
        <source>the URL&apos;s host {host} cannot be resolved</source>
        <translation>无法解析 URL 的主机 {host}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="137"/>
        <source>the URL could not be fetched ({reason})</source>
        <translation>无法获取该 URL（{reason}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="138"/>
        <source>fetching the URL answered HTTP {status}</source>
        <translation>获取该 URL 时返回 HTTP {status}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="139"/>
        <source>the URL took over {s} s</source>
        <translation>获取该 URL 超过了 {s} 秒</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="141"/>
        <source>the document has {count} pages to read, over this server&apos;s limit of {limit} — send fewer pages (start_page_id / end_page_id) or split it</source>
        <translation>该文档有 {count} 页需要识别，超过本服务器 {limit} 页的上限 — 请发送更少的页（start_page_id / end_page_id）或拆分文档</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="140"/>
        <source>{count} documents are queued or reading, this server&apos;s limit — try again in {seconds} s</source>
        <translation>已有 {count} 个文档在排队或识别中，达到本服务器的上限 — 请在 {seconds} 秒后重试</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="1"/>
        <source>the pixel budget, documents.max_pixels</source>
        <translation>像素预算 documents.max_pixels</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="2"/>
        <source>the GLM-OCR SDK&apos;s image limit</source>
        <translation>GLM-OCR SDK 的图像上限</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="3"/>
        <source>the context, {setting} {context}, less {output} output tokens</source>
        <translation>上下文 {setting} {context} 减去 {output} 个输出词元</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="4"/>
        <source>llama.cpp&apos;s image token cap, llamacpp.image_max_tokens</source>
        <translation>llama.cpp 的图像词元上限 llamacpp.image_max_tokens</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="94"/>
        <source>{name} has no page with a text layer: {reason}</source>
        <translation>{name} 没有带文字层的页面：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="95"/>
        <source>the searchable PDF needs the {package} package, which is not installed — run `make run` (or `pip install ocrmypdf`) in the app&apos;s environment</source>
        <translation>可搜索 PDF 需要 {package} 软件包，但它尚未安装 — 请在应用的环境中运行 `make run`（或 `pip install ocrmypdf`）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="96"/>
        <source>the original of {name} is gone or no longer a document ({path}) — the searchable PDF is made over the original pages; put it back and export again</source>
        <translation>{name} 的原件已不存在或不再是文档（{path}）— 可搜索 PDF 基于原始页面生成；请放回原件后重新导出</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="97"/>
        <source>{name} is password-protected now — the searchable PDF is made over the original; remove the password and export again</source>
        <translation>{name} 现在受密码保护 — 可搜索 PDF 基于原件生成；请移除密码后重新导出</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="98"/>
        <source>the original of {name} could not be opened to make the searchable PDF: {reason}</source>
        <translation>无法打开 {name} 的原件来生成可搜索 PDF：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="99"/>
        <source>page {page} could not be read: {reason}</source>
        <translation>无法读取第 {page} 页：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="100"/>
        <source>the original of {name} cannot be opened any more ({reason}) — the searchable PDF and hOCR are made over the original pages; put it back at {path}</source>
        <translation>{name} 的原件已无法打开（{reason}）— 可搜索 PDF 和 hOCR 基于原始页面生成；请把它放回 {path}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="101"/>
        <source>page {page} has no text</source>
        <translation>第 {page} 页没有文字</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="102"/>
        <source>page {page} of {name} is no longer in the original (it has {count} pages now)</source>
        <translation>{name} 的第 {page} 页已不在原件中（原件现在有 {count} 页）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="120"/>
        <source>{reason}; read whole at {width}×{height} px, {tokens} image tokens (limit: {bound})</source>
        <translation>{reason}；以 {width}×{height} 像素整页识别，{tokens} 个图像词元（上限：{bound}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="142"/>
        <source>the export failed: {reason}</source>
        <translation>导出失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="143"/>
        <source>cannot listen on {host}:{port} ({reason}) — is another server using the port? Choose another one (--port, or Settings → Server)</source>
        <translation>无法在 {host}:{port} 上监听（{reason}）— 是否有其他服务器占用了该端口？请选择其他端口（--port，或设置 → 服务器）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="144"/>
        <source>refusing to listen on {host} without an access token: every machine that can reach it could read documents with it — give --token-file (or turn the server on in Settings → Server, which makes one), or listen on 127.0.0.1</source>
        <translation>拒绝在没有访问令牌的情况下监听 {host}：任何能访问它的机器都能用它识别文档 — 请提供 --token-file（或在设置 → 服务器中开启服务器，会自动生成令牌），或只监听 127.0.0.1</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="145"/>
        <source>the token file {path} can be read by other users (mode {mode}) — run chmod 600 on it</source>
        <translation>令牌文件 {path} 可被其他用户读取（权限 {mode}）— 请对它运行 chmod 600</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="146"/>
        <source>the token in {path} is shorter than 16 characters — use a long random one (python -c &apos;import secrets; print(secrets.token_urlsafe(32))&apos;)</source>
        <translation>{path} 中的令牌短于 16 个字符 — 请使用较长的随机令牌（python -c &apos;import secrets; print(secrets.token_urlsafe(32))&apos;）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="147"/>
        <source>the token file {path} does not exist</source>
        <translation>令牌文件 {path} 不存在</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="148"/>
        <source>the token file {path} cannot be read ({reason})</source>
        <translation>无法读取令牌文件 {path}（{reason}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="149"/>
        <source>the token file {path} cannot be written ({reason})</source>
        <translation>无法写入令牌文件 {path}（{reason}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="150"/>
        <source>use {kind}</source>
        <translation>请使用{kind}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="151"/>
        <source>{message} — {fix}</source>
        <translation>{message} — {fix}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="152"/>
        <source>use one of {choices}</source>
        <translation>请使用以下之一：{choices}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="153"/>
        <source>use {kind} from {minimum} to {maximum}</source>
        <translation>请使用 {minimum} 到 {maximum} 之间的{kind}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="154"/>
        <source>a whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="155"/>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="156"/>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="157"/>
        <source>text in quotes</source>
        <translation>带引号的文本</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="158"/>
        <source>settings file {path} cannot be read: {reason}</source>
        <translation>无法读取设置文件 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="159"/>
        <source>fix or delete it; until then every setting is at its default</source>
        <translation>请修正或删除该文件；在此之前所有设置都使用默认值</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="160"/>
        <source>setting &apos;{key}&apos;: {value} is below the minimum {limit}</source>
        <translation>设置“{key}”：{value} 低于最小值 {limit}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="161"/>
        <source>setting &apos;{key}&apos;: {value} is above the maximum {limit}</source>
        <translation>设置“{key}”：{value} 高于最大值 {limit}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="162"/>
        <source>use one or more of {choices}</source>
        <translation>请使用以下一项或多项：{choices}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="163"/>
        <source>unknown setting &apos;{key}&apos;</source>
        <translation>未知设置“{key}”</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="164"/>
        <source>setting &apos;{key}&apos;: {value} is not a valid {kind} — {help}</source>
        <translation>设置“{key}”：{value} 不是有效的 {kind} — {help}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="165"/>
        <source>setting &apos;{key}&apos;: {value} is not one of {allowed}</source>
        <translation>设置“{key}”：{value} 不是以下之一：{allowed}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="166"/>
        <source>it is kept in the file but not used; check its spelling or remove it</source>
        <translation>它保留在文件中但不会被使用；请检查拼写或将其删除</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="167"/>
        <source>setting &apos;{key}&apos;: {value} is not a schema version</source>
        <translation>设置“{key}”：{value} 不是有效的架构版本</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="168"/>
        <source>write {key} = {version} (or remove the line); the keys are read as version {version}</source>
        <translation>请写入 {key} = {version}（或删除该行）；各项设置按版本 {version} 读取</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="169"/>
        <source>the file is of schema version {version}, written by a newer OCR Desktop (this one knows version {known})</source>
        <translation>该文件的架构版本为 {version}，由较新的 OCR Desktop 写入（本版本只认识版本 {known}）</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="170"/>
        <source>settings this version knows are used and the rest are kept; update OCR Desktop</source>
        <translation>本版本认识的设置会被使用，其余保留；请更新 OCR Desktop</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="171"/>
        <source>{allowed}; until then the default {default} is used</source>
        <translation>{allowed}；在此之前使用默认值 {default}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="172"/>
        <source>setting &apos;{key}&apos; must be a section ([{key}]), not {value}</source>
        <translation>设置“{key}”必须是一个节（[{key}]），而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../../build/message_strings.py" line="173"/>
        <source>write its settings under a [{key}] line; until then its defaults are used</source>
        <translation>请把它的设置写在 [{key}] 一行之下；在此之前使用其默认值</translation>
    </message>
</context>
<context>
    <name>run</name>
    <message>
        <location filename="../../gui/app.py" line="84"/>
        <source>Some settings could not be used; the others apply. {problems}</source>
        <translation>部分设置无法使用，其余设置照常生效。{problems}</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="105"/>
        <source>settings file {path}:</source>
        <translation>设置文件 {path}：</translation>
    </message>
</context>
</TS>
