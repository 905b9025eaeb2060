<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../gui/errors.py" line="129" />
        <location filename="../../gui/errors.py" line="130" />
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="133" />
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
        <location filename="../../gui/errors.py" line="144" />
        <source>Traceback</source>
        <translation>回溯信息</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <location filename="../../gui/drop_zone.py" line="99" />
        <source>Drop documents here</source>
        <translation>将文档拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="106" />
        <source>Drop PDFs, images or folders here</source>
        <translation>将 PDF、图片或文件夹拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="112" />
        <source>or paste an image with Ctrl+V. Every page is read by GLM-OCR on this machine.</source>
        <translation>或用 Ctrl+V 粘贴图片。每一页都由本机上的 GLM-OCR 识别。</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="116" />
        <source>Open Files…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="117" />
        <source>Choose documents to read (Ctrl+O)</source>
        <translation>选择要识别的文档 (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../gui/drop_zone.py" line="118" />
        <source>Open files</source>
        <translation>打开文件</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../gui/export_dialog.py" line="42" />
        <location filename="../../gui/export_dialog.py" line="72" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="46" />
        <source>Documents to export</source>
        <translation>要导出的文档</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="77" />
        <source>Documents with finished pages:</source>
        <translation>有已完成页面的文档：</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="107" />
        <source>Tick at least one document.</source>
        <translation>请至少勾选一个文档。</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="110" />
        <source>Tick at least one format.</source>
        <translation>请至少勾选一种格式。</translation>
    </message>
    <message>
        <location filename="../../gui/export_dialog.py" line="143" />
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
</context>
<context>
    <name>GaugePanel</name>
    <message>
        <location filename="../../gui/gauges.py" line="457" />
        <source>Resource gauges</source>
        <translation>资源仪表</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="471" />
        <source>{0} history</source>
        <translation>{0} 历史</translation>
    </message>
</context>
<context>
    <name>GaugeStrip</name>
    <message>
        <location filename="../../gui/gauges.py" line="513" />
        <source>Resource gauges (compact)</source>
        <translation>资源仪表（紧凑）</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../gui/history_dialog.py" line="28" />
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="30" />
        <source>Documents read earlier</source>
        <translation>以前识别过的文档</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="34" />
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="34" />
        <source>Added</source>
        <translation>添加时间</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="34" />
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="34" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="49" />
        <source>Show in Queue</source>
        <translation>显示在队列中</translation>
    </message>
    <message>
        <location filename="../../gui/history_dialog.py" line="50" />
        <source>Put the document back on the queue and show its pages</source>
        <translation>将文档放回队列并显示其页面</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <location filename="../../gui/log_view.py" line="22" />
        <source>Log</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="192" />
        <source>Backend state</source>
        <extracomment>pages/min is measured over the last this many finished pages.</extracomment>
        <translation>后端状态</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="194" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="196" />
        <source>Pages per minute</source>
        <translation>每分钟页数</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="197" />
        <source>Pages read per minute, over the last ten pages</source>
        <translation>最近十页的每分钟识别页数</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="203" />
        <source>Backend loading progress</source>
        <extracomment>Where the gauge strip goes (the gauges are their own widget, see _install_gauges).</extracomment>
        <translation>后端加载进度</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="212" />
        <source>loads when the first page is read</source>
        <translation>识别第一页时加载</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="241" />
        <source>&amp;Open Files…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="244" />
        <source>Add documents to the queue</source>
        <translation>将文档加入队列</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="247" />
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="250" />
        <source>Add every document in a folder</source>
        <translation>加入文件夹中的所有文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="253" />
        <source>&amp;Paste Image</source>
        <translation>粘贴图片(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="256" />
        <source>Read the image on the clipboard</source>
        <translation>识别剪贴板中的图片</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="259" />
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="262" />
        <source>Export the selected documents (or all) as txt, md or json</source>
        <translation>将选中的文档（或全部）导出为 txt、md 或 json</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="265" />
        <source>&amp;History…</source>
        <translation>历史记录(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="265" />
        <source>Reopen documents read earlier</source>
        <translation>重新打开以前识别过的文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="267" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="267" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="269" />
        <source>Copy &amp;Page Text</source>
        <translation>复制本页文字(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="272" />
        <source>Copy the shown page's text</source>
        <translation>复制当前页的文字</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="275" />
        <source>Copy &amp;Document Text</source>
        <translation>复制整个文档文字(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="278" />
        <source>Copy the shown document's text</source>
        <translation>复制当前文档的文字</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="281" />
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="284" />
        <source>Backend, model, task and export options</source>
        <translation>后端、模型、任务和导出选项</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="290" />
        <source>Start no new page; the page being read finishes</source>
        <translation>不再开始新页面；正在识别的页面会完成</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="294" />
        <source>Cancel &amp;Page</source>
        <translation>取消本页(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="300" />
        <source>&amp;Cancel Document</source>
        <translation>取消文档(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="303" />
        <source>Stop reading the selected documents</source>
        <translation>停止识别选中的文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="312" />
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="315" />
        <source>Remove the selected documents and their results</source>
        <translation>移除选中的文档及其结果</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="324" />
        <source>C&amp;lear Finished</source>
        <translation>清除已完成(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="327" />
        <source>Take finished documents off the queue (they stay in the history)</source>
        <translation>从队列中移除已完成的文档（仍保留在历史记录中）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="330" />
        <source>Move &amp;Up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="333" />
        <source>Read this document earlier</source>
        <translation>提前识别此文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="336" />
        <source>Move &amp;Down</source>
        <translation>下移(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="339" />
        <source>Read this document later</source>
        <translation>推后识别此文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="343" />
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="343" />
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="346" />
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="346" />
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="349" />
        <source>&amp;Fit Width</source>
        <translation>适合宽度(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="349" />
        <source>Fit the page to the width</source>
        <translation>按宽度缩放页面</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="352" />
        <source>&amp;Next Page</source>
        <translation>下一页(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="352" />
        <source>Show the next page</source>
        <translation>显示下一页</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="355" />
        <source>P&amp;revious Page</source>
        <translation>上一页(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="355" />
        <source>Show the previous page</source>
        <translation>显示上一页</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="358" />
        <source>&amp;Compare Backends…</source>
        <translation>比较后端(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="361" />
        <source>Measure llama.cpp and vLLM on this device and get a recommendation</source>
        <translation>在本设备上测量 llama.cpp 和 vLLM 并给出建议</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="363" />
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="365" />
        <source>Open &amp;Log Folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="368" />
        <source>Show the folder with the log file</source>
        <translation>显示日志文件所在的文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="381" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="393" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="396" />
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="410" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="421" />
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="423" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="437" />
        <location filename="../../gui/main_window.py" line="439" />
        <source>Gauges</source>
        <translation>仪表</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="444" />
        <source>Show or hide the memory and GPU gauges (F9)</source>
        <translation>显示或隐藏内存和 GPU 仪表 (F9)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="448" />
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="456" />
        <source>Show or hide the last lines of the log (F12)</source>
        <translation>显示或隐藏最近的日志 (F12)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="568" />
        <source>Open Documents</source>
        <translation>打开文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="570" />
        <source>Documents ({patterns});;All files (*)</source>
        <translation>文档 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="577" />
        <location filename="../../gui/main_window.py" line="935" />
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="597" />
        <source>The clipboard holds no image or file. Copy an image (or files) first, then paste.</source>
        <translation>剪贴板中没有图片或文件。请先复制图片（或文件），再粘贴。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="619" />
        <source>No documents found there. OCR Desktop reads PDF, PNG, JPEG, WebP, BMP, GIF and TIFF.</source>
        <translation>那里没有找到文档。OCR Desktop 支持 PDF、PNG、JPEG、WebP、BMP、GIF 和 TIFF。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="763" />
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="764" />
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="765" />
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="766" />
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="800" />
        <source>{elapsed:.0f} s of about {expected:.0f} s</source>
        <translation>{elapsed:.0f} 秒 / 约 {expected:.0f} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="806" />
        <source>{elapsed:.0f} s (first load: no earlier time to compare)</source>
        <translation>{elapsed:.0f} 秒（首次加载，无可参照的时间）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="825" />
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="287" />
        <location filename="../../gui/main_window.py" line="825" />
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="856" />
        <source>Remove documents</source>
        <translation>移除文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="858" />
        <source>Remove this document and its recognised text? This cannot be undone.</source>
        <translation>移除此文档及其识别文字？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="860" />
        <source>Remove {count} documents and their recognised text? This cannot be undone.</source>
        <translation>移除 {count} 个文档及其识别文字？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="924" />
        <source>Nothing was exported: the documents have no finished pages.</source>
        <translation>没有导出任何内容：这些文档没有已完成的页面。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="930" />
        <source>Saved 1 file to {folder}</source>
        <translation>已将 1 个文件保存到 {folder}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="932" />
        <source>Saved {count} files to {folder}</source>
        <translation>已将 {count} 个文件保存到 {folder}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="984" />
        <source>Switch backend</source>
        <translation>切换后端</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="985" />
        <source>A page is being read. Finish it with the current backend before switching?</source>
        <translation>正在识别一个页面。切换前先用当前后端完成它吗？</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="986" />
        <source>Finish the Page First</source>
        <translation>先完成本页</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="987" />
        <source>Cancel the Page</source>
        <translation>取消本页</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1011" />
        <source>Not switching to {backend}, the current backend keeps running: {reason}</source>
        <translation>未切换到 {backend}，当前后端继续运行：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1043" />
        <source>The settings could not be saved: {error}. They apply until you quit.</source>
        <translation>无法保存设置：{error}。这些设置在退出前有效。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1049" />
        <source>The new language applies the next time OCR Desktop starts.</source>
        <translation>新的界面语言将在下次启动 OCR Desktop 时生效。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1051" />
        <source>switching backend</source>
        <translation>正在切换后端</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="363" />
        <location filename="../../gui/main_window.py" line="1069" />
        <source>About OCR Desktop</source>
        <translation>关于 OCR Desktop</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="297" />
        <source>Stop reading the page of the document shown or selected (retry it later)</source>
        <translation>停止识别当前显示或选中文档的页面（稍后可重试）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="306" />
        <source>&amp;Retry / Resume</source>
        <translation>重试 / 继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="309" />
        <source>Read failed pages again, or resume a cancelled or failed document</source>
        <translation>重新识别失败的页面，或继续已取消或失败的文档</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="733" />
        <source>No model is installed, so documents cannot be read yet. Download it or choose model files above; the documents waiting are read then.</source>
        <translation>尚未安装模型，暂时无法识别文档。请在上方下载模型或选择模型文件；之后等待中的文档会自动识别。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="742" />
        <source>The backend could not be loaded: {message}
Check Edit → Settings, then press Retry (Ctrl+R).</source>
        <translation>无法加载后端：{message}
请检查“编辑 → 设置”，然后按“重试”(Ctrl+R)。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="749" />
        <source>The model is installed.</source>
        <translation>模型已安装。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="837" />
        <source>No page of this document is being read.</source>
        <translation>此文档当前没有正在识别的页面。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1071" />
        <source>&lt;b&gt;OCR Desktop {version}&lt;/b&gt;&lt;p&gt;Reads documents with GLM-OCR on llama.cpp or vLLM, on NVIDIA Jetson and any Linux machine.&lt;/p&gt;&lt;p&gt;Log file: {log}&lt;/p&gt;</source>
        <translation>&lt;b&gt;OCR Desktop {version}&lt;/b&gt;&lt;p&gt;在 NVIDIA Jetson 和任何 Linux 计算机上，用 llama.cpp 或 vLLM 运行 GLM-OCR 识别文档。&lt;/p&gt;&lt;p&gt;日志文件：{log}&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1126" />
        <source>Your edit of page {n} was not kept: {error}</source>
        <translation>第 {n} 页的修改未能保存：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="1134" />
        <source>{rate:.1f} pages/min</source>
        <translation>{rate:.1f} 页/分钟</translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <location filename="../../gui/model_panel.py" line="50" />
        <source>Model setup</source>
        <translation>模型设置</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="67" />
        <source>Choose Model Files…</source>
        <translation>选择模型文件…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="68" />
        <source>Use GGUF files you already have (Settings → llama.cpp)</source>
        <translation>使用已有的 GGUF 文件（设置 → llama.cpp）</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="70" />
        <source>Cancel Download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="73" />
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="96" />
        <source>No model is installed yet</source>
        <translation>尚未安装模型</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="99" />
        <source>OCR Desktop reads documents with the GLM-OCR model, which is not on this computer. Download it ({name}, {size:,.0f} MB) or choose model files you already have.</source>
        <translation>OCR 桌面使用 GLM-OCR 模型识别文档，但本机尚无该模型。请下载（{name}，{size:,.0f} MB），或选择已有的模型文件。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="104" />
        <source>Download ({size:,.0f} MB)</source>
        <translation>下载（{size:,.0f} MB）</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="121" />
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="123" />
        <source>Downloading {name}…</source>
        <translation>正在下载 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="146" />
        <source>Download cancelled</source>
        <translation>下载已取消</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="148" />
        <source>What was downloaded is kept; Download continues from there.</source>
        <translation>已下载的部分会保留，再次下载时从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="158" />
        <source>{file}: {done:,.1f} of {total:,.1f} MB · {speed:,.1f} MB/s</source>
        <translation>{file}：{done:,.1f} / {total:,.1f} MB · {speed:,.1f} MB/s</translation>
    </message>
    <message>
        <location filename="../../gui/model_panel.py" line="173" />
        <source>The download failed</source>
        <translation>下载失败</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../gui/errors.py" line="60" />
        <source>Notice</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="68" />
        <source>Dismiss this message</source>
        <translation>关闭此消息</translation>
    </message>
    <message>
        <location filename="../../gui/errors.py" line="69" />
        <source>Dismiss message</source>
        <translation>关闭消息</translation>
    </message>
</context>
<context>
    <name>PageView</name>
    <message>
        <location filename="../../gui/reading_view.py" line="102" />
        <source>Page image</source>
        <extracomment>Edits are saved this long after the last keystroke. While text streams in, the Markdown tab is re-rendered at most this often.</extracomment>
        <translation>页面图像</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="103" />
        <source>The page as the model saw it. Ctrl+wheel zooms.</source>
        <translation>模型看到的页面。Ctrl+滚轮可缩放。</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../gui/queue_view.py" line="142" />
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="143" />
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="144" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="145" />
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="146" />
        <source>Elapsed</source>
        <translation>用时</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="147" />
        <source>tok/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="195" />
        <source>Page {n}: {message}</source>
        <translation>第 {n} 页：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="220" />
        <location filename="../../gui/queue_view.py" line="222" />
        <location filename="../../gui/queue_view.py" line="225" />
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="220" />
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="225" />
        <source>Starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="226" />
        <source>Reading page {n} · {tokens} tokens</source>
        <translation>正在识别第 {n} 页 · {tokens} 个词元</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="232" />
        <source>Done, 1 page failed</source>
        <translation>完成，1 页失败</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="233" />
        <source>Done, {count} pages failed</source>
        <translation>完成，{count} 页失败</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="234" />
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="236" />
        <source>Failed: {message}</source>
        <translation>失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="238" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <location filename="../../gui/queue_view.py" line="416" />
        <source>Document queue</source>
        <translation>文档队列</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="417" />
        <source>Documents in the queue. Drag a row to change the order.</source>
        <translation>队列中的文档。拖动一行可调整顺序。</translation>
    </message>
</context>
<context>
    <name>ReadingView</name>
    <message>
        <location filename="../../gui/reading_view.py" line="181" />
        <source>Select a document in the queue to see its pages.</source>
        <extracomment>The page whose edit has not been reported yet (the debounce timer may still run, or have fired: the flag, not the timer, says whether an edit is owed).</extracomment>
        <translation>在队列中选择一个文档以查看其页面。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="185" />
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="186" />
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="188" />
        <source>Page number</source>
        <translation>页码</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="189" />
        <source>Page shown</source>
        <translation>当前显示的页面</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="193" />
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="194" />
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="196" />
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="196" />
        <source>Fit the page to the width</source>
        <translation>按宽度缩放页面</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="202" />
        <source>Rendered Markdown</source>
        <translation>渲染后的 Markdown</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="206" />
        <source>Recognised text</source>
        <translation>识别出的文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="208" />
        <source>The recognised text. Edit it once the page is finished; edits are kept.</source>
        <translation>识别出的文字。页面完成后即可编辑，修改会被保存。</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="213" />
        <source>Text views</source>
        <translation>文字视图</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="214" />
        <source>Markdown</source>
        <translation>Markdown</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="215" />
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="219" />
        <source>Copy page</source>
        <translation>复制本页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="219" />
        <source>Copy this page's text</source>
        <translation>复制本页文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="222" />
        <source>Copy document</source>
        <translation>复制文档</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="223" />
        <source>Copy the whole document's text</source>
        <translation>复制整个文档的文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="228" />
        <source>Revert page</source>
        <translation>还原本页</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="228" />
        <source>Put the model's text of this page back</source>
        <translation>恢复模型识别出的本页文字</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="232" />
        <source>Page statistics</source>
        <translation>页面统计</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="357" />
        <location filename="../../gui/reading_view.py" line="365" />
        <source>of {n}</source>
        <translation>/ {n}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="435" />
        <source>The page image cannot be shown: {message}</source>
        <translation>无法显示页面图像：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="583" />
        <source>repetition loop stopped</source>
        <translation>已停止重复循环</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="584" />
        <source>cut off at the token limit</source>
        <translation>达到词元上限被截断</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="585" />
        <source>read twice (loop retry)</source>
        <translation>识别了两次（循环重试）</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="586" />
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="595" />
        <source>Page {n} failed: {message}</source>
        <translation>第 {n} 页失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="600" />
        <source>Page {n}: {seconds:.1f} s</source>
        <translation>第 {n} 页：{seconds:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="601" />
        <source>{rate:.1f} tok/s</source>
        <translation>{rate:.1f} 词元/秒</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="602" />
        <source>{tokens} tokens</source>
        <translation>{tokens} 个词元</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="607" />
        <source>⚠ {flags}</source>
        <translation>⚠ {flags}</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="610" />
        <source>Page {n}: reading…</source>
        <translation>第 {n} 页：识别中…</translation>
    </message>
    <message>
        <location filename="../../gui/reading_view.py" line="612" />
        <source>Page {n}: not read yet</source>
        <translation>第 {n} 页：尚未识别</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../gui/settings_dialog.py" line="79" />
        <source>Settings</source>
        <extracomment>Settings sections whose change means the backend must be loaded again. Download progress reaches the GUI at most this often (seconds).</extracomment>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="84" />
        <source>Settings sections</source>
        <translation>设置分类</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="102" />
        <source>Put every setting back to its default (saved when you press OK)</source>
        <translation>将所有设置恢复为默认值（按“确定”后保存）</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="117" />
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="118" />
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="119" />
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="122" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="123" />
        <source>Gauges</source>
        <translation>仪表</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="187" />
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="188" />
        <source>Download the chosen catalog model from Hugging Face</source>
        <translation>从 Hugging Face 下载所选的目录模型</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="191" />
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="196" />
        <source>Leave the model files empty to use a catalog model:</source>
        <translation>模型文件留空则使用目录中的模型：</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="229" />
        <source>Not downloaded.</source>
        <translation>尚未下载。</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="233" />
        <source>Downloaded: {path}</source>
        <translation>已下载：{path}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="243" />
        <source>Downloading {name}…</source>
        <translation>正在下载 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="278" />
        <source>Download failed: {message}</source>
        <translation>下载失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="333" />
        <source>⚠ {reason} — {fix}. Press Save Anyway to keep these settings.</source>
        <translation>⚠ {reason} — {fix}。如仍要保留这些设置，请按“仍然保存”。</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="339" />
        <source>Save Anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="354" />
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="417" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="419" />
        <source>Browse for {setting}</source>
        <translation>浏览选择{setting}</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="432" />
        <source>GGUF files (*.gguf);;All files (*)</source>
        <translation>GGUF 文件 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>_GaugeView</name>
    <message>
        <location filename="../../gui/gauges.py" line="297" />
        <location filename="../../gui/gauges.py" line="314" />
        <source>n/a</source>
        <extracomment>Percent of RAM, swap or KV cache at which a gauge turns amber, and red. Jetson modules throttle near 95-100 °C (tj); amber and red come before that. The sparkline spans at least this many readings, growing to the whole history as it fills, so a freshly started app shows a line rather than a sliver at the right edge. Per sampler, the gauges currently visible on it: the sampler runs while this is not empty.</extracomment>
        <translation>不可用</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="297" />
        <source>Waiting for the first reading…</source>
        <translation>等待第一次读数…</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="303" />
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="304" />
        <source>Swap</source>
        <translation>交换区</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="305" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="306" />
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="307" />
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="308" />
        <source>Power</source>
        <translation>功耗</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="309" />
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="313" />
        <source>Not measured on this machine</source>
        <translation>本机无法测量</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="323" />
        <source>Model runtime</source>
        <translation>模型运行时</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="324" />
        <source>This app</source>
        <translation>本程序</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="325" />
        <source>Other programs</source>
        <translation>其他程序</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="330" />
        <source>Free: {0} of {1}</source>
        <translation>空闲：{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="336" />
        <source>GPU share (in model runtime): {0}</source>
        <translation>GPU 占用（模型运行时内）：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="343" />
        <source>No swap space is configured</source>
        <translation>未配置交换空间</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="354" />
        <source>Average over all cores</source>
        <translation>所有核心的平均值</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="361" />
        <source>Load: {0}</source>
        <translation>负载：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="363" />
        <source>Frequency: {0} MHz</source>
        <translation>频率：{0} MHz</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="369" />
        <source>GPU memory: {0} / {1}</source>
        <translation>GPU 内存：{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="389" />
        <source>Now: {0}</source>
        <translation>当前：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="390" />
        <source>Bar scale: the recent peak, {0:.1f} W</source>
        <translation>刻度：最近峰值 {0:.1f} W</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="400" />
        <source>vLLM KV cache in use: {0}</source>
        <translation>vLLM KV 缓存已用：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="403" />
        <source>{0} pages running, {1} waiting</source>
        <translation>{0} 页进行中，{1} 页等待</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="420" />
        <source>Source: {0}</source>
        <translation>来源：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="430" />
        <source>near the limit</source>
        <translation>接近上限</translation>
    </message>
    <message>
        <location filename="../../gui/gauges.py" line="430" />
        <source>at the limit</source>
        <translation>达到上限</translation>
    </message>
</context>
<context>
    <name>run</name>
    <message>
        <location filename="../../gui/app.py" line="82" />
        <source>Your settings could not be read, so the defaults are used: {problem}</source>
        <translation>无法读取您的设置，因此使用默认设置：{problem}</translation>
    </message>
</context>
</TS>